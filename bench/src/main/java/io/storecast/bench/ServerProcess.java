package io.storecast.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A Storecast server run as a child process of this JVM (same {@code java} binary), on 127.0.0.1 and
 * a free port, with its embedded PostgreSQL under a data directory of our choosing. Its console goes
 * to a log file, never to our stdout. {@link #stop} is graceful (SIGTERM) and idempotent; a JVM
 * shutdown hook stops whatever is still running if the benchmark is interrupted.
 */
public final class ServerProcess implements AutoCloseable {

	/** System property: path to the server's fat jar. */
	public static final String JAR_PROPERTY = "storecast.server.jar";
	/** System property: extra JVM options for the server, separated by spaces. */
	public static final String JVM_ARGS_PROPERTY = "storecast.server.jvmArgs";
	/** More Spring arguments for the server, space-separated ({@code --key=value}), after the scenario's own. */
	public static final String ARGS_PROPERTY = "storecast.server.args";

	private static final Set<ServerProcess> RUNNING = ConcurrentHashMap.newKeySet();

	static {
		Thread hook = new Thread(() -> RUNNING.forEach(ServerProcess::stopQuietly), "storecast-bench-cleanup");
		Runtime.getRuntime().addShutdownHook(hook);
	}

	private final Process process;
	private final long startedNanos;
	private final int port;
	private final Path dataDir;
	private final Path log;
	private final HttpClient http;
	private volatile Duration stopTime;

	private ServerProcess(Process process, long startedNanos, int port, Path dataDir, Path log) {
		this.process = process;
		this.startedNanos = startedNanos;
		this.port = port;
		this.dataDir = dataDir;
		this.log = log;
		this.http = HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(2))
			.build();
	}

	/** The server jar: {@code -Dstorecast.server.jar}, else {@code server/target/storecast-server.jar} from here or the parent folder. */
	public static Path serverJar() {
		String configured = System.getProperty(JAR_PROPERTY);
		if (configured != null && !configured.isBlank()) {
			Path jar = Path.of(configured).toAbsolutePath().normalize();
			if (!Files.isRegularFile(jar)) {
				throw new IllegalStateException("-D" + JAR_PROPERTY + "=" + configured + " is not a file");
			}
			return jar;
		}
		for (String candidate : List.of("server/target/storecast-server.jar", "../server/target/storecast-server.jar")) {
			Path jar = Path.of(candidate).toAbsolutePath().normalize();
			if (Files.isRegularFile(jar)) {
				return jar;
			}
		}
		throw new IllegalStateException("server/target/storecast-server.jar not found from " + Path.of("").toAbsolutePath()
				+ ": build it (./mvnw -pl server package -DskipTests), run from the repository root, or pass -D"
				+ JAR_PROPERTY + "=<path>");
	}

	/** A port that was free on 127.0.0.1 a moment ago. */
	public static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			socket.setReuseAddress(true);
			return socket.getLocalPort();
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/**
	 * Starts the server. {@code workDir} becomes its working directory and holds {@code logName};
	 * {@code dataDir} is the embedded PostgreSQL's data directory. {@code extraArgs} are Spring
	 * command-line arguments ({@code --key=value}), which win over application.yml.
	 */
	public static ServerProcess start(Path jar, Path workDir, Path dataDir, String logName, String ownerPassword,
			List<String> extraArgs) throws IOException {
		int port = freePort();
		List<String> command = new ArrayList<>();
		command.add(ProcessHandle.current().info().command().orElseThrow(
				() -> new IllegalStateException("cannot tell which java binary runs this JVM")));
		String jvmArgs = System.getProperty(JVM_ARGS_PROPERTY, "").trim();
		if (!jvmArgs.isEmpty()) {
			command.addAll(Arrays.asList(jvmArgs.split("\\s+")));
		}
		command.addAll(List.of("-jar", jar.toString(), "--server.port=" + port, "--server.address=127.0.0.1",
				"--storecast.db.data-dir=" + dataDir.toAbsolutePath(),
				"--storecast.identity.owner-password=" + ownerPassword));
		command.addAll(extraArgs);
		String args = System.getProperty(ARGS_PROPERTY, "").trim();
		if (!args.isEmpty()) {
			command.addAll(Arrays.asList(args.split("\\s+")));
		}

		Path log = workDir.resolve(logName);
		ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
			.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
		// the server reads STORECAST_* variables (an external database URL among them): keep this run hermetic
		builder.environment().keySet().removeIf(name -> name.startsWith("STORECAST_"));
		long started = System.nanoTime();
		Process process = builder.start();
		ServerProcess server = new ServerProcess(process, started, port, dataDir, log);
		RUNNING.add(server);
		Bench.progress("started server pid %d on 127.0.0.1:%d (log %s)", process.pid(), port, log);
		return server;
	}

	public URI base() {
		return URI.create("http://127.0.0.1:" + port);
	}

	public long pid() {
		return process.pid();
	}

	public Path log() {
		return log;
	}

	/**
	 * Polls GET /actuator/health until it answers {@code "status":"UP"}; returns the time from
	 * process start to that answer. Fails early if the process exits.
	 */
	public Duration awaitUp(Duration timeout) throws InterruptedException, TimeoutException {
		long deadline = startedNanos + timeout.toNanos();
		HttpRequest request = HttpRequest.newBuilder(base().resolve("/actuator/health"))
			.timeout(Duration.ofSeconds(2))
			.GET()
			.build();
		while (true) {
			if (!process.isAlive()) {
				throw new IllegalStateException("the server exited with code " + process.exitValue()
						+ " before it was up; log tail:\n" + logTail(40));
			}
			try {
				HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
				long now = System.nanoTime();
				if (response.statusCode() == 200 && response.body().replace(" ", "").contains("\"status\":\"UP\"")) {
					return Duration.ofNanos(now - startedNanos);
				}
			}
			catch (IOException notYet) {
				// not listening yet
			}
			if (System.nanoTime() - deadline > 0) {
				throw new TimeoutException("the server was not UP within " + timeout + "; log tail:\n" + logTail(40));
			}
			Thread.sleep(20);
		}
	}

	/** Resident set size of the server JVM (VmRSS from /proc/&lt;pid&gt;/status), in KiB. */
	public long rssKiB() {
		return readProcField(process.pid(), "status", "VmRSS:")
			.orElseThrow(() -> new IllegalStateException("no VmRSS for pid " + process.pid()));
	}

	/**
	 * Proportional set size (Pss from /proc/&lt;pid&gt;/smaps_rollup) of the embedded PostgreSQL, summed
	 * over the postmaster and its children: shared buffers are split between them, not counted once
	 * per process as RSS would. Empty when there is no postmaster in the data directory.
	 */
	public OptionalLong postgresPssKiB() {
		Optional<ProcessHandle> postmaster = postmaster(dataDir);
		if (postmaster.isEmpty()) {
			return OptionalLong.empty();
		}
		long total = 0;
		for (ProcessHandle p : Stream.concat(Stream.of(postmaster.get()), postmaster.get().descendants()).toList()) {
			total += readProcField(p.pid(), "smaps_rollup", "Pss:").orElse(0);
		}
		return OptionalLong.of(total);
	}

	/** CPU time (user + system) the server JVM has used so far, in nanoseconds. */
	public long cpuNanos() {
		return cpuNanos(process.toHandle());
	}

	/** CPU time the embedded PostgreSQL (postmaster and its current children) has used so far, in nanoseconds. */
	public long postgresCpuNanos() {
		return postmaster(dataDir)
			.map(pm -> reapedChildrenCpuNanos(pm.pid())
					+ Stream.concat(Stream.of(pm), pm.descendants()).mapToLong(ServerProcess::cpuNanos).sum())
			.orElse(0L);
	}

	/**
	 * The CPU time of a process's children that have exited and been reaped (cutime + cstime in
	 * /proc/&lt;pid&gt;/stat): PostgreSQL's backends and autovacuum workers that end between two
	 * readings would otherwise take their CPU time with them. Assumes the usual 100 ticks a second.
	 */
	static long reapedChildrenCpuNanos(long pid) {
		try {
			String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
			// the fields after the command name in parentheses, which may itself hold spaces
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			// fields[0] is field 3 (state): cutime is field 16, cstime field 17
			long ticks = Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
			return ticks * 10_000_000L;
		}
		catch (IOException | RuntimeException e) {
			return 0;
		}
	}

	static long cpuNanos(ProcessHandle process) {
		return process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
	}

	/**
	 * Graceful stop: SIGTERM, then waits for the JVM to exit (it stops its PostgreSQL on the way out).
	 * Returns the time from the signal to the exit. Past {@code timeout} the process is killed and an
	 * exception thrown. Afterwards no PostgreSQL may be left on the data directory; if one is, it is
	 * stopped and this fails.
	 */
	public synchronized Duration stop(Duration timeout) throws InterruptedException, TimeoutException {
		if (stopTime != null) {
			return stopTime;
		}
		try {
			long signalled = System.nanoTime();
			process.destroy();
			boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
			long exitedAt = System.nanoTime();
			if (!exited) {
				kill();
				throw new TimeoutException("the server (pid " + process.pid() + ") did not exit within " + timeout
						+ " of SIGTERM and was killed; log tail:\n" + logTail(40));
			}
			stopTime = Duration.ofNanos(exitedAt - signalled);
			Bench.progress("server pid %d exited with code %d after %d ms", process.pid(), process.exitValue(),
					stopTime.toMillis());
			if (stopOrphanedPostgres()) {
				throw new IllegalStateException("the server exited but left its PostgreSQL running on " + dataDir
						+ " (now stopped); log tail:\n" + logTail(40));
			}
			return stopTime;
		}
		finally {
			RUNNING.remove(this);
			http.shutdownNow();
		}
	}

	@Override
	public void close() {
		stopQuietly();
	}

	/** For finally blocks and the shutdown hook: stops, and never throws. */
	public void stopQuietly() {
		try {
			stop(Duration.ofSeconds(60));
		}
		catch (InterruptedException e) {
			kill();
			Thread.currentThread().interrupt();
		}
		catch (Exception e) {
			Bench.progress("stopping server pid %d: %s", process.pid(), e.getMessage());
		}
	}

	private void kill() {
		process.descendants().forEach(ProcessHandle::destroyForcibly);
		process.destroyForcibly();
		try {
			process.waitFor(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		stopOrphanedPostgres();
	}

	/** Stops the PostgreSQL the server started on our data directory if it outlived the server; true if there was one. */
	private boolean stopOrphanedPostgres() {
		Optional<ProcessHandle> postmaster = postmaster(dataDir);
		if (postmaster.isEmpty()) {
			return false;
		}
		ProcessHandle pg = postmaster.get();
		Bench.progress("stopping PostgreSQL pid %d left running on %s", pg.pid(), dataDir);
		pg.destroy();
		try {
			pg.onExit().get(20, TimeUnit.SECONDS);
		}
		catch (Exception e) {
			pg.descendants().forEach(ProcessHandle::destroyForcibly);
			pg.destroyForcibly();
		}
		return true;
	}

	/** The live postmaster whose pid file is in {@code dataDir}, if any. */
	static Optional<ProcessHandle> postmaster(Path dataDir) {
		Path pidFile = dataDir.resolve("postmaster.pid");
		try {
			if (!Files.exists(pidFile)) {
				return Optional.empty();
			}
			long pid = Long.parseLong(Files.readAllLines(pidFile).getFirst().trim());
			return ProcessHandle.of(pid)
				.filter(ProcessHandle::isAlive)
				.filter(p -> p.info().command().orElse("").contains("postgres"));
		}
		catch (IOException | RuntimeException e) {
			return Optional.empty();
		}
	}

	/** The number in a {@code Name:   123 kB} line of /proc/&lt;pid&gt;/&lt;file&gt;. */
	static OptionalLong readProcField(long pid, String file, String field) {
		try {
			return parseKiB(Files.readString(Path.of("/proc", Long.toString(pid), file)), field);
		}
		catch (IOException e) {
			return OptionalLong.empty();
		}
	}

	static OptionalLong parseKiB(String text, String field) {
		for (String line : text.split("\n")) {
			if (line.startsWith(field)) {
				String[] parts = line.substring(field.length()).trim().split("\\s+");
				if (parts.length >= 1 && !parts[0].isEmpty()) {
					long value = Long.parseLong(parts[0]);
					if (parts.length < 2 || !parts[1].equalsIgnoreCase("kB")) {
						throw new IllegalArgumentException("unexpected unit in '" + line + "'");
					}
					return OptionalLong.of(value);
				}
			}
		}
		return OptionalLong.empty();
	}

	/** The last lines of the server's log, for error messages. */
	public String logTail(int lines) {
		try {
			List<String> all = Files.readAllLines(log);
			return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
		}
		catch (IOException | UncheckedIOException e) {
			return "(no log: " + e.getMessage() + ")";
		}
	}

	/** Deletes a temporary directory tree, unless -Dbench.keep=true (then says where it is). */
	public static void deleteTree(Path dir) {
		if (dir == null || !Files.exists(dir)) {
			return;
		}
		if (Boolean.getBoolean("bench.keep")) {
			Bench.progress("kept %s (-Dbench.keep=true)", dir);
			return;
		}
		try (Stream<Path> paths = Files.walk(dir)) {
			paths.sorted(Comparator.reverseOrder()).forEach(p -> {
				try {
					Files.deleteIfExists(p);
				}
				catch (IOException e) {
					Bench.progress("could not delete %s: %s", p, e.getMessage());
				}
			});
		}
		catch (IOException e) {
			Bench.progress("could not delete %s: %s", dir, e.getMessage());
		}
	}
}
