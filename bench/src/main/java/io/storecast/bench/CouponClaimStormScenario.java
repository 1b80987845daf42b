package io.storecast.bench;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;


/**
 * {@code coupon-claim-storm}: 50,000 claim requests over HTTP from 10,000 customers (five each,
 * with their own Idempotency-Keys, shuffled) against a coupon with stock 10,000 and a limit of one
 * per customer, sent by a Netty driver ({@link NettyHttpDriver}) to the gateway's port, where claims
 * are served by Netty and issued in batches ({@code -Dbench.coupons.via=rest}: to the REST API's
 * {@code POST /api/v1/coupons/templates/{id}/claims} instead, one transaction per claim).
 * <ol>
 * <li>Warm-up (not measured as the storm): {@code bench.coupons.warmup-rounds} (8) storms of the same
 * shape by {@code bench.coupons.warmup-customers} (4,000) other customers, each on another template,
 * until the JIT has compiled the claim path, issuing included (each round issues 4,000 coupons in
 * batches like the storm's); the first round's figures are printed as {@code cold-} (a freshly
 * started server's first storm).
 * <li>Closed loop, {@code bench.coupons.inflight} (256) connections each sending its next claim when
 * the last is answered: requests/s, coupons issued/s until the stock ran out, p50/p99 of all
 * requests and of the successful ones, server, PostgreSQL and driver CPU per request, and the
 * oversell count read from the database (issued past the stock, or a customer holding two: 0).
 * <li>Open loop: the same storm by the same customers on a second template, offered at
 * {@code bench.coupons.paced-rate} (5,000) claims/s over up to {@code bench.coupons.paced-connections}
 * (1,000) connections, each claim timed from when it was due: the latency at that rate, with server,
 * PostgreSQL and driver CPU per request, the cores busy in each second, and the p99 of each second
 * (the first, when most claims issue a coupon, is the hardest).
 * </ol>
 * <p>
 * In the same run, against the server's own embedded PostgreSQL (durable commits, as the claims):
 * {@code bench.coupons.baseline.threads} (64) JDBC connections doing
 * {@code UPDATE t SET n = n + 1 WHERE id = 1}, each its own transaction — the hot-row limit a
 * single stock counter would hold every claim to — and the ratio of the claim figures to it; then
 * the same spread over 64 rows, what the database commits when no row is hot. The storm goes in
 * rounds: each customer's first attempt (shuffled) issues the stock, the later rounds are refused.
 * Customers' tokens are minted first through an API key; that time is reported, not measured in.
 */
final class CouponClaimStormScenario implements Scenario {

	static final String NAME = "coupon-claim-storm";
	private static final String SERVER = "server";
	private static final String POSTGRES = "postgres";

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public boolean run(Results results) throws Exception {
		int customers = Integer.getInteger("bench.coupons.customers", 10_000);
		int requests = Integer.getInteger("bench.coupons.requests", 50_000);
		int stock = Integer.getInteger("bench.coupons.stock", 10_000);
		int inflight = Integer.getInteger("bench.coupons.inflight", 256);
		int baselineThreads = Integer.getInteger("bench.coupons.baseline.threads", 64);
		int warmupCustomers = Integer.getInteger("bench.coupons.warmup-customers", 4_000);
		int warmupRounds = Integer.getInteger("bench.coupons.warmup-rounds", 8);
		// then the same storm offered at this rate (0: skipped), over up to this many connections
		double pacedRate = Double.parseDouble(System.getProperty("bench.coupons.paced-rate", "5000"));
		int pacedConnections = Integer.getInteger("bench.coupons.paced-connections", 1_000);
		// of which this many are opened before the clock starts (0: all on demand, while the claims are due)
		int pacedPreopened = Integer.getInteger("bench.coupons.paced-preopened", pacedConnections);
		// where the claims go: the gateway's port (the storm path, default) or the REST API's
		boolean gateway = !"rest".equals(System.getProperty("bench.coupons.via", "gateway"));
		// a diagnostic: PostgreSQL's statements that took the most time in each loop (pg_stat_statements)
		boolean pgStats = Boolean.getBoolean("bench.coupons.pg-stats");
		Duration baselineTime = AuthScenario.seconds("bench.coupons.baseline.seconds", 10);

		Path work = Files.createTempDirectory("storecast-bench-coupons-");
		int pgPort = ServerProcess.freePort();
		ServerProcess server = null;
		boolean ok = true;
		try {
			int gatewayPort = ServerProcess.freePort();
			List<String> args = new ArrayList<>(StorecastFixture.serverArgs(gatewayPort));
			args.add("--storecast.db.embedded-port=" + pgPort);
			args.add("--storecast.db.pool-size=40");
			if (pgStats) {
				args.add("--storecast.db.embedded-settings[shared_preload_libraries]=pg_stat_statements");
			}
			server = ServerProcess.start(ServerProcess.serverJar(), work, work.resolve("postgres"), "server.log",
					StartupScenario.PASSWORD, args);
			server.awaitUp(Duration.ofMinutes(3));
			try (StorecastApi api = new StorecastApi(server.base())) {
				String owner = api.login(StartupScenario.OWNER, StartupScenario.PASSWORD);
				String template = createTemplate(api, owner, "秒杀 无门槛30元", stock);
				String[] tokens = mint(api, owner, "bench-c-", customers, results);
				List<int[]> plan = plan(customers, requests);
				URI claimBase = gateway ? URI.create("http://127.0.0.1:" + gatewayPort + "/") : server.base();
				if (warmupCustomers > 0) {
					// warm-up storms of the same shape by other customers on other templates, not measured as the
					// storm: the figures are of a running server, not of its JIT compiling the claim path (which
					// takes a few storms: the first is printed as cold-, and each round's JIT time as a share)
					String[] warmTokens = mint(api, owner, "bench-w-", warmupCustomers, null);
					for (int round = 1; round <= warmupRounds; round++) {
						String warmTemplate = createTemplate(api, owner, "预热" + round + " 无门槛5元", warmupCustomers);
						double compiledBefore = compileMillis(api);
						Storm warm = storm(claimBase, warmTemplate, warmTokens, plan(warmupCustomers, warmupCustomers * 5),
								inflight, "warm" + round + "-");
						double compileShare = (compileMillis(api) - compiledBefore) / (warm.nanos() / 1e6);
						Bench.progress("%s: warm-up %d: %d claims in %.1f s (p99 %.0f ms), JIT compiling %.0f%% of that time, "
								+ "statuses %s", NAME, round, warmupCustomers * 5, warm.nanos() / 1e9,
								warm.all().percentileMillis(99), compileShare * 100, warm.statuses());
						if (round == 1) {
							results.emit(NAME, "cold-requests_per_s", warmupCustomers * 5 / (warm.nanos() / 1e9), "req/s");
							results.emit(NAME, "cold-latency_p99", warm.all().percentileMillis(99), "ms");
						}
					}
					results.emit(NAME, "warmup-rounds", warmupRounds, "count");
				}
				ServerProcess s = server;
				Cpu cpuBefore = Cpu.of(s);
				BatchFigures batchesBefore = gateway ? BatchFigures.read(api) : null;
				if (pgStats) {
					PgStatements.reset(pgPort);
				}
				Storm storm = storm(claimBase, template, tokens, plan, inflight);
				if (pgStats) {
					PgStatements.report(pgPort, NAME, "closed loop", 10);
				}
				Cpu cpu = Cpu.of(s).minus(cpuBefore);

				double seconds = storm.nanos() / 1e9;
				Bench.progress("%s: claims through the %s", NAME, gateway ? "gateway's port (Netty, batched)" : "REST API (Spring MVC)");
				results.emit(NAME, "claim-requests", requests, "count");
				results.emit(NAME, "claim-customers", customers, "count");
				results.emit(NAME, "claim-inflight", inflight, "count");
				results.emit(NAME, "claim-requests_per_s", requests / seconds, "req/s");
				results.emit(NAME, "claims-issued", storm.issued(), "count");
				double sellOut = storm.sellOutNanos() / 1e9;
				results.emit(NAME, "claims-issued_per_s", sellOut > 0 ? storm.issued() / sellOut : 0, "claims/s");
				results.emit(NAME, "claim-latency_p50", storm.all().percentileMillis(50), "ms");
				results.emit(NAME, "claim-latency_p99", storm.all().percentileMillis(99), "ms");
				results.emit(NAME, "claim-latency_max", storm.all().maxMillis(), "ms");
				if (storm.issuedLatencies().count() > 0) {
					results.emit(NAME, "issued-latency_p50", storm.issuedLatencies().percentileMillis(50), "ms");
					results.emit(NAME, "issued-latency_p99", storm.issuedLatencies().percentileMillis(99), "ms");
				}
				results.emit(NAME, "claim-errors", storm.errors(), "count");
				cpu.emit(results, "", requests);
				if (batchesBefore != null) {
					BatchFigures.read(api).minus(batchesBefore).emit(results, "claim-", seconds);
				}
				Bench.progress("%s: statuses %s", NAME, storm.statuses());

				long[] db = databaseCounts(pgPort, template);
				long oversell = Math.max(0, db[0] - stock) + db[2];
				results.emit(NAME, "oversell", oversell, "count");
				results.emit(NAME, "db-issued", db[0], "count");
				ok &= oversell == 0 && db[0] == db[1] && storm.errors() == 0
						&& storm.issued() == Math.min(stock, customers) && db[0] == storm.issued();

				if (pacedRate > 0) {
					// the same storm by the same customers on a second template, offered at a fixed rate
					String pacedTemplate = createTemplate(api, owner, "秒杀 定速 无门槛30元", stock);
					BatchFigures pacedBefore = gateway ? BatchFigures.read(api) : null;
					if (pgStats) {
						PgStatements.reset(pgPort);
					}
					// the machine's cores busy (server + PostgreSQL + driver) in each second of the open loop
					List<Double> busy = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
					Thread sampler = Thread.ofPlatform().daemon().unstarted(() -> {
						long last = Cpu.of(s).total();
						long lastAt = System.nanoTime();
						while (!Thread.currentThread().isInterrupted()) {
							try {
								Thread.sleep(1000);
							}
							catch (InterruptedException e) {
								return;
							}
							long now = Cpu.of(s).total();
							long at = System.nanoTime();
							busy.add((double) (now - last) / (at - lastAt));
							last = now;
							lastAt = at;
						}
					});
					java.util.concurrent.atomic.AtomicReference<Cpu> pacedBeforeCpu = new java.util.concurrent.atomic.AtomicReference<>();
					long[] backgroundBefore = backgroundWork(pgPort);
					// the clock, the CPU readings and the sampler start when the connections are open
					Storm at = paced(claimBase, pacedTemplate, tokens, plan, pacedRate, pacedConnections, pacedPreopened,
							() -> {
								pacedBeforeCpu.set(Cpu.of(s));
								sampler.start();
							});
					Cpu pacedCpu = Cpu.of(s).minus(pacedBeforeCpu.get());
					sampler.interrupt();
					long[] background = backgroundWork(pgPort);
					Bench.progress("%s: PostgreSQL meanwhile (and while the connections opened): %d checkpoints "
							+ "(%d buffers written), %d autovacuum/autoanalyze runs", NAME, background[0] - backgroundBefore[0],
							background[1] - backgroundBefore[1], background[2] - backgroundBefore[2]);
					Bench.progress("%s: cores busy in each second of the open loop: %s", NAME,
							busy.stream().map(b -> String.format("%.2f", b)).collect(java.util.stream.Collectors.joining(" ")));
					pacedCpu.emit(results, "paced-", requests);
					if (pgStats) {
						PgStatements.report(pgPort, NAME, "open loop", 10);
					}
					Bench.progress("%s: at %.0f claims/s offered: statuses %s; p99 of each second's claims (ms): %s", NAME,
							pacedRate, at.statuses(), at.p99Slices(requests, (int) Math.max(1, pacedRate)));
					Bench.progress("%s: p99 of each tenth of the first second's claims (ms): %s", NAME,
							at.p99Slices((int) pacedRate, (int) Math.max(1, pacedRate / 10)));
					results.emit(NAME, "paced-offered_per_s", pacedRate, "req/s");
					results.emit(NAME, "paced-requests_per_s", requests / (at.nanos() / 1e9), "req/s");
					results.emit(NAME, "paced-latency_p50", at.all().percentileMillis(50), "ms");
					results.emit(NAME, "paced-latency_p99", at.all().percentileMillis(99), "ms");
					results.emit(NAME, "paced-latency_max", at.all().maxMillis(), "ms");
					if (at.issuedLatencies().count() > 0) {
						results.emit(NAME, "paced-issued-latency_p99", at.issuedLatencies().percentileMillis(99), "ms");
					}
					results.emit(NAME, "paced-errors", at.errors(), "count");
					if (pacedBefore != null) {
						BatchFigures.read(api).minus(pacedBefore).emit(results, "paced-", at.nanos() / 1e9);
					}
					long[] pacedDb = databaseCounts(pgPort, pacedTemplate);
					long pacedOversell = Math.max(0, pacedDb[0] - stock) + pacedDb[2];
					results.emit(NAME, "paced-oversell", pacedOversell, "count");
					ok &= pacedOversell == 0 && pacedDb[0] == pacedDb[1] && at.errors() == 0
							&& at.issued() == Math.min(stock, customers) && pacedDb[0] == at.issued();
				}

				Baseline hot = hotRow(pgPort, baselineThreads, 1, Duration.ofSeconds(2), baselineTime);
				Baseline striped = hotRow(pgPort, baselineThreads, 64, Duration.ofSeconds(2), baselineTime);
				results.emit(NAME, "baseline-64-rows-updates_per_s", striped.perSecond(), "updates/s");
				results.emit(NAME, "baseline-64-rows-latency_p99", striped.latencies().percentileMillis(99), "ms");
				results.emit(NAME, "baseline-hot-row-updates_per_s", hot.perSecond(), "updates/s");
				results.emit(NAME, "baseline-hot-row-latency_p50", hot.latencies().percentileMillis(50), "ms");
				results.emit(NAME, "baseline-hot-row-latency_p99", hot.latencies().percentileMillis(99), "ms");
				results.emit(NAME, "baseline-hot-row-threads", baselineThreads, "count");
				if (hot.perSecond() > 0) {
					results.emit(NAME, "claims-issued-to-hot-row_ratio",
							(sellOut > 0 ? storm.issued() / sellOut : 0) / hot.perSecond(), "ratio");
					results.emit(NAME, "claim-requests-to-hot-row_ratio", requests / seconds / hot.perSecond(), "ratio");
				}
			}
			server.stop(Duration.ofMinutes(1));
			server = null;
			ok &= driverCeiling(results, work, customers, requests, inflight);
			return ok;
		}
		finally {
			if (server != null) {
				server.stopQuietly();
			}
			ServerProcess.deleteTree(work);
		}
	}

	/**
	 * The same storm (same driver, same requests in flight, same headers and body) against the bare
	 * Netty server, which answers every claim with a fixed 201 and does nothing else: what the driver
	 * and the loopback can do on this machine at all, the ceiling any server here is measured under.
	 */
	private static boolean driverCeiling(Results results, Path work, int customers, int requests, int inflight)
			throws Exception {
		try (BareServerProcess bare = BareServerProcess.start(work);
				StorecastApi api = new StorecastApi(bare.httpBase())) {
			String[] tokens = new String[customers];
			java.util.Arrays.fill(tokens, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9.c2lnbmF0dXJlLW9mLWEtdG9rZW4tb2YtdGhpcy1sZW5ndGg");
			List<int[]> plan = new ArrayList<>(requests);
			for (int i = 0; i < requests; i++) {
				plan.add(new int[] { i % customers, i });
			}
			long cpuBare = -bare.cpuNanos();
			long cpuDriver = -ServerProcess.cpuNanos(ProcessHandle.current());
			Storm storm = storm(bare.httpBase(), "00000000-0000-0000-0000-000000000000", tokens, plan, inflight);
			cpuBare += bare.cpuNanos();
			cpuDriver += ServerProcess.cpuNanos(ProcessHandle.current());
			double perSecond = requests / (storm.nanos() / 1e9);
			results.emit(NAME, "driver-ceiling-requests_per_s", perSecond, "req/s");
			results.emit(NAME, "driver-ceiling-latency_p99", storm.all().percentileMillis(99), "ms");
			results.emit(NAME, "driver-ceiling-driver_cpu_per_request", cpuDriver / 1e6 / requests, "ms");
			results.emit(NAME, "driver-ceiling-bare_server_cpu_per_request", cpuBare / 1e6 / requests, "ms");
			return storm.errors() == 0 && storm.issued() == requests;
		}
	}

	/**
	 * The claims ({customer, key}) in rounds: every customer's first attempt (shuffled), then every
	 * second one, and so on, so that the first round is the issuing load and the later ones are refused.
	 */
	private static List<int[]> plan(int customers, int requests) {
		List<int[]> plan = new ArrayList<>(requests);
		Random random = new Random(2026);
		for (int round = 0; round * customers < requests; round++) {
			List<int[]> attempts = new ArrayList<>();
			for (int c = 0; c < customers && round * customers + c < requests; c++) {
				attempts.add(new int[] { c, round * customers + c });
			}
			Collections.shuffle(attempts, random);
			plan.addAll(attempts);
		}
		return plan;
	}

	static String createTemplate(StorecastApi api, String owner, String name, int stock) throws Exception {
		StorecastApi.Response created = api.post("/api/v1/coupons/templates", owner, Map.of("name", name, "kind",
				"NO_THRESHOLD", "discountFen", 3000, "validFrom", Instant.now().minusSeconds(60).toString(), "validUntil",
				Instant.now().plus(Duration.ofDays(1)).toString(), "stock", stock, "perCustomerLimit", 1));
		if (created.status() != 201) {
			throw new IllegalStateException("creating the template failed: " + created.status() + " " + created.body());
		}
		return created.body().path("id").asString();
	}

	/** Customer tokens minted through an API key with customers:token, 32 at a time ({@code results} may be null). */
	static String[] mint(StorecastApi api, String owner, String prefix, int n, Results results)
			throws Exception {
		StorecastApi.Response key = api.post("/api/v1/api-keys", owner,
				Map.of("name", "bench coupons", "scopes", List.of("customers:token")));
		if (key.status() != 201) {
			throw new IllegalStateException("creating an API key failed: " + key.status() + " " + key.body());
		}
		String apiKey = key.body().path("key").asString();
		String[] tokens = new String[n];
		long started = System.nanoTime();
		StorecastFixture.parallel("customer tokens", n, 32, Duration.ofMinutes(10), i -> {
			StorecastApi.Response minted = api.post("/api/v1/customers/tokens", apiKey,
					Map.of("externalId", prefix + i));
			if (minted.status() != 201 && minted.status() != 200) {
				throw new IllegalStateException("minting a token failed: " + minted.status() + " " + minted.body());
			}
			tokens[i] = minted.body().path("accessToken").asString();
		});
		if (results != null) {
			results.emit(NAME, "setup-customer-tokens_per_s", n / ((System.nanoTime() - started) / 1e9), "tokens/s");
		}
		return tokens;
	}

	/** The server JVM's JIT compile time so far (Micrometer's jvm.compilation.time), in ms. */
	static double compileMillis(StorecastApi api) throws Exception {
		return StorecastFixture.sumMetric(StorecastFixture.exposition(api), "jvm_compilation_time_ms_total", "");
	}

	/**
	 * The gateway's claim batches so far, from the server's Prometheus endpoint: how many, how many
	 * claims they took, and how long the workers spent on them.
	 */
	/** CPU time so far, in nanoseconds: the server JVM, its embedded PostgreSQL, and this driver. */
	record Cpu(long server, long postgres, long driver) {

		static Cpu of(ServerProcess s) {
			return new Cpu(s.cpuNanos(), s.postgresCpuNanos(), ServerProcess.cpuNanos(ProcessHandle.current()));
		}

		Cpu minus(Cpu before) {
			return new Cpu(server - before.server, postgres - before.postgres, driver - before.driver);
		}

		long total() {
			return server + postgres + driver;
		}

		/** {@code <prefix>server_cpu_per_request} and the same for postgres_ and driver_, in ms. */
		void emit(Results results, String prefix, int requests) {
			results.emit(NAME, prefix + "server_cpu_per_request", server / 1e6 / requests, "ms");
			results.emit(NAME, prefix + "postgres_cpu_per_request", postgres / 1e6 / requests, "ms");
			results.emit(NAME, prefix + "driver_cpu_per_request", driver / 1e6 / requests, "ms");
		}
	}

	record BatchFigures(double batches, double claims, double seconds) {

		static BatchFigures read(StorecastApi api) throws Exception {
			String body = StorecastFixture.exposition(api);
			double batches = StorecastFixture.sumMetric(body, "storecast_gateway_claims_batch_count", "");
			double claims = StorecastFixture.sumMetric(body, "storecast_gateway_claims_batch_sum", "");
			double seconds = StorecastFixture.sumMetric(body, "storecast_gateway_claims_batch_time_seconds_sum", "");
			return new BatchFigures(batches, claims, seconds);
		}

		BatchFigures minus(BatchFigures before) {
			return new BatchFigures(batches - before.batches, claims - before.claims, seconds - before.seconds);
		}

		/** The batches of a phase that lasted {@code phaseSeconds}: count, mean size, mean time, workers busy. */
		void emit(Results results, String prefix, double phaseSeconds) {
			results.emit(NAME, prefix + "batches", batches, "count");
			results.emit(NAME, prefix + "batch-size_mean", batches > 0 ? claims / batches : 0, "claims");
			results.emit(NAME, prefix + "batch-time_mean", batches > 0 ? seconds * 1000 / batches : 0, "ms");
			results.emit(NAME, prefix + "batch-workers-busy", seconds / phaseSeconds, "workers");
		}
	}

	record Storm(long nanos, long sellOutNanos, int issued, long errors, Latencies all, Latencies issuedLatencies,
			Map<String, Long> statuses, long[] inOrder) {

		/**
		 * The p99 of each {@code size} requests in the order they were sent (the open loop's seconds),
		 * in ms, over the first {@code count} requests.
		 */
		String p99Slices(int count, int size) {
			int end = Math.min(count, inOrder.length);
			StringBuilder slices = new StringBuilder();
			for (int from = 0; from < end; from += size) {
				slices.append(slices.isEmpty() ? "" : " ").append(Math.round(
						Latencies.of(Arrays.copyOfRange(inOrder, from, Math.min(end, from + size))).percentileMillis(99)));
			}
			return slices.toString();
		}
	}

	/**
	 * Sends the planned claims ({customer, key}) over {@code inflight} kept-alive connections (Netty,
	 * closed loop: each connection sends its next claim when the last is answered), and times each.
	 */
	static Storm storm(URI base, String template, String[] tokens, List<int[]> plan, int inflight)
			throws InterruptedException {
		return storm(base, template, tokens, plan, inflight, "storm-");
	}

	/** The same, with the Idempotency-Keys {@code keyPrefix + n} (a customer's keys are theirs across templates). */
	static Storm storm(URI base, String template, String[] tokens, List<int[]> plan, int inflight, String keyPrefix)
			throws InterruptedException {
		return send(base, template, tokens, plan, keyPrefix, () -> {
		}, (driver, n, request, recorder) -> () -> driver.run(n,
				request, inflight, recorder, StorecastApi.REQUEST_TIMEOUT.multipliedBy(20)));
	}

	/**
	 * The same claims offered at {@code rate} per second whatever the answers (open loop, over up to
	 * {@code connections} kept-alive connections), each timed from when it was due: the latency at
	 * that throughput, which a closed loop cannot show (there, latency is in-flight ÷ throughput).
	 */
	static Storm paced(URI base, String template, String[] tokens, List<int[]> plan, double rate, int connections,
			int preopened, Runnable atStart) throws InterruptedException {
		return send(base, template, tokens, plan, "paced-", atStart, (driver, n, request, recorder) -> {
			NettyHttpDriver.PacedRun run = driver.paced(n, request, rate, connections, preopened, recorder);
			return () -> run.go(StorecastApi.REQUEST_TIMEOUT.multipliedBy(20));
		});
	}

	/** A storm's driving: prepared (connections opened before the clock starts, if it does), then run. */
	private interface Run {
		Go prepare(NettyHttpDriver driver, int n, java.util.function.IntFunction<NettyHttpDriver.Request> request,
				NettyHttpDriver.Answers recorder) throws InterruptedException;
	}

	private interface Go {
		/** False if the storm did not finish in time. */
		boolean go() throws InterruptedException;
	}

	private static Storm send(URI base, String template, String[] tokens, List<int[]> plan, String keyPrefix,
			Runnable atStart, Run run) throws InterruptedException {
		long[] latency = new long[plan.size()];
		boolean[] issued = new boolean[plan.size()];
		Map<String, LongAdder> statuses = new ConcurrentHashMap<>();
		AtomicInteger issuedCount = new AtomicInteger();
		AtomicLong lastIssued = new AtomicLong();
		LongAdder errors = new LongAdder();
		String path = "/api/v1/coupons/templates/" + template + "/claims";
		byte[] body = "{\"source\":\"live\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
		int threads = Integer.getInteger("bench.coupons.driver-threads", 1);
		AtomicLong start = new AtomicLong();
		long elapsed;
		try (NettyHttpDriver driver = new NettyHttpDriver(base, threads)) {
			Go go = run.prepare(driver, plan.size(), i -> new NettyHttpDriver.Request(path, tokens[plan.get(i)[0]],
					keyPrefix + plan.get(i)[1], body), (index, status, text, nanos) -> {
						latency[index] = nanos;
						String kind;
						if (status == 201) {
							issued[index] = true;
							issuedCount.incrementAndGet();
							lastIssued.accumulateAndGet(System.nanoTime() - start.get(), Math::max);
							kind = "201";
						}
						else if (status == 409) {
							int at = text.indexOf("\"code\":\"");
							kind = "409 " + (at < 0 ? "?" : text.substring(at + 8, text.indexOf('"', at + 8)));
						}
						else {
							kind = status < 0 ? text : "HTTP " + status;
							errors.increment();
						}
						statuses.computeIfAbsent(kind, k -> new LongAdder()).increment();
					});
			atStart.run();
			start.set(System.nanoTime());
			boolean finished = go.go();
			elapsed = System.nanoTime() - start.get();
			if (!finished) {
				errors.increment();
				statuses.computeIfAbsent("unfinished", k -> new LongAdder()).increment();
			}
		}
		long[] ok = new long[issuedCount.get()];
		int at = 0;
		for (int i = 0; i < latency.length && at < ok.length; i++) {
			if (issued[i]) {
				ok[at++] = latency[i];
			}
		}
		Map<String, Long> counted = new TreeMap<>();
		statuses.forEach((k, v) -> counted.put(k, v.sum()));
		return new Storm(elapsed, lastIssued.get(), issuedCount.get(), errors.sum(), Latencies.of(latency),
				Latencies.of(Arrays.copyOf(ok, at)), counted, latency);
	}

	/** {issued per the slots, coupons written, customers holding more than one} for the template. */
	static long[] databaseCounts(int pgPort, String template) throws SQLException {
		try (Connection c = DriverManager.getConnection(jdbcUrl(pgPort), "postgres", "");
				PreparedStatement s = c.prepareStatement("""
						SELECT (SELECT sum(issued) FROM coupons_stock_slots WHERE template_id = CAST(? AS uuid)),
						       (SELECT count(*) FROM coupons_coupons WHERE template_id = CAST(? AS uuid)),
						       (SELECT count(*) FROM (SELECT customer_id FROM coupons_coupons WHERE template_id = CAST(? AS uuid)
						          GROUP BY customer_id HAVING count(*) > 1) twice)""")) {
			s.setString(1, template);
			s.setString(2, template);
			s.setString(3, template);
			try (ResultSet rs = s.executeQuery()) {
				rs.next();
				return new long[] { rs.getLong(1), rs.getLong(2), rs.getLong(3) };
			}
		}
	}

	/**
	 * PostgreSQL's background work so far, which a storm's latency may meet: checkpoints started,
	 * buffers the checkpointer wrote, and autovacuum and autoanalyze runs over the user tables.
	 */
	static long[] backgroundWork(int pgPort) throws SQLException {
		try (Connection c = DriverManager.getConnection(jdbcUrl(pgPort), "postgres", "");
				Statement s = c.createStatement();
				ResultSet rs = s.executeQuery("""
						SELECT (SELECT num_timed + num_requested FROM pg_stat_checkpointer),
						       (SELECT buffers_written FROM pg_stat_checkpointer),
						       (SELECT sum(autovacuum_count + autoanalyze_count) FROM pg_stat_user_tables)""")) {
			rs.next();
			return new long[] { rs.getLong(1), rs.getLong(2), rs.getLong(3) };
		}
	}

	record Baseline(long updates, double seconds, Latencies latencies) {

		double perSecond() {
			return updates / seconds;
		}
	}

	/**
	 * {@code threads} connections each incrementing one of {@code rows} rows (at random; 1: one shared
	 * row), one transaction per update, after a warm-up; the table is dropped afterwards.
	 */
	static Baseline hotRow(int pgPort, int threads, int rows, Duration warmup, Duration measure) throws Exception {
		try (Connection c = DriverManager.getConnection(jdbcUrl(pgPort), "postgres", "");
				Statement s = c.createStatement()) {
			s.execute("CREATE TABLE IF NOT EXISTS bench_hot_row (id INT PRIMARY KEY, n BIGINT NOT NULL)");
			s.execute("INSERT INTO bench_hot_row SELECT g, 0 FROM generate_series(1, " + rows + ") g"
					+ " ON CONFLICT (id) DO UPDATE SET n = 0");
		}
		long start = System.nanoTime();
		long from = start + warmup.toNanos();
		long end = from + measure.toNanos();
		List<Latencies.Recorder> recorders = new ArrayList<>();
		LongAdder failures = new LongAdder();
		try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
			for (int t = 0; t < threads; t++) {
				Latencies.Recorder recorder = new Latencies.Recorder();
				recorders.add(recorder);
				pool.submit(() -> {
					try (Connection c = DriverManager.getConnection(jdbcUrl(pgPort), "postgres", "");
							PreparedStatement update = c.prepareStatement("UPDATE bench_hot_row SET n = n + 1 WHERE id = ?")) {
						c.setAutoCommit(true);
						java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
						while (System.nanoTime() - end < 0) {
							update.setInt(1, 1 + random.nextInt(rows));
							long t0 = System.nanoTime();
							update.executeUpdate();
							long t1 = System.nanoTime();
							if (t1 - from >= 0 && t1 - end <= 0) {
								recorder.record(t1 - t0);
							}
						}
					}
					catch (SQLException e) {
						failures.increment();
						Bench.progress("hot-row baseline: %s", e.getMessage());
					}
					return null;
				});
			}
		}
		try (Connection c = DriverManager.getConnection(jdbcUrl(pgPort), "postgres", "");
				Statement s = c.createStatement()) {
			s.execute("DROP TABLE bench_hot_row");
		}
		Latencies latencies = Latencies.merge(recorders);
		double seconds = measure.toNanos() / 1e9;
		Bench.progress("row-update baseline: %d updates of %d row(s) in %.1f s from %d connections (%d failed)",
				latencies.count(), rows, seconds, threads, failures.sum());
		return new Baseline(latencies.count(), seconds, latencies);
	}

	static String jdbcUrl(int port) {
		return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
	}
}
