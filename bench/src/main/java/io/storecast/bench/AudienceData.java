package io.storecast.bench;

import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * A merchant with a million customers for the audience scenarios. Creating them through the API
 * would take hours and measure something else, so the bench writes them straight into the server's
 * embedded PostgreSQL (started on a known port), with {@code generate_series} and a fixed seed:
 * identity's customers and audience's profiles, kept purchase lines (about 2.5 per customer, one
 * line per order, 1 in 8 in the category 耳饰), profile facts aggregated from them exactly as the
 * server does, subscriptions, SMS consents and in-app withdrawals, a manual tag, and (for the cap)
 * customers who already had marketing messages this month (a tenth 3, another tenth 2). Two regions with five stores each are
 * created over REST first. Then {@code VACUUM ANALYZE}, as autovacuum would do in production.
 */
final class AudienceData implements AutoCloseable {

	static final String[] CATEGORIES = { "耳饰", "耳饰", "项链", "手链", "戒指", "月饼礼盒", "酒水礼盒", "茶叶礼盒", "文具", "鲜花礼盒",
			"巧克力", "服饰配件", "家居香氛", "相框", "潮玩手办", "月饼礼盒" };

	final StorecastFixture fixture;
	final int customers;
	final int dbPort;
	final Connection db;
	final List<String> eastStores = new ArrayList<>();
	final List<String> southStores = new ArrayList<>();

	private AudienceData(StorecastFixture fixture, int customers, int dbPort, Connection db) {
		this.fixture = fixture;
		this.customers = customers;
		this.dbPort = dbPort;
		this.db = db;
	}

	/** Starts a server whose embedded PostgreSQL listens on a port we know, and connects to it. */
	static AudienceData start(String scenario, int customers) throws Exception {
		return start(scenario, customers, List.of());
	}

	/** The same, with more Spring arguments for the server ({@code --key=value}). */
	static AudienceData start(String scenario, int customers, List<String> extraArgs) throws Exception {
		int dbPort = ServerProcess.freePort();
		List<String> args = new ArrayList<>(List.of("--storecast.db.embedded-port=" + dbPort, "--storecast.db.pool-size=10"));
		args.addAll(extraArgs);
		StorecastFixture fixture = StorecastFixture.start(scenario, args);
		try {
			Connection db = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + dbPort + "/postgres", "postgres", "");
			db.setAutoCommit(true);
			return new AudienceData(fixture, customers, dbPort, db);
		}
		catch (SQLException | RuntimeException e) {
			fixture.close();
			throw e;
		}
	}

	/** Creates the org tree over REST and the customers in the database; returns the seconds it took. */
	double generate() throws Exception {
		long started = System.nanoTime();
		String east = node(fixture.headOffice, "REGION", "EAST", "华东区");
		String south = node(fixture.headOffice, "REGION", "SOUTH", "华南区");
		for (int i = 0; i < 5; i++) {
			eastStores.add(node(east, "STORE", "E-" + i, "华东" + i + "号店"));
			southStores.add(node(south, "STORE", "S-" + i, "华南" + i + "号店"));
		}
		List<String> stores = new ArrayList<>(eastStores);
		stores.addAll(southStores);
		String storeArray = "(ARRAY[" + String.join(",", stores.stream().map(s -> "'" + s + "'::uuid").toList()) + "])";
		String categories = "(ARRAY[" + String.join(",", java.util.Arrays.stream(CATEGORIES).map(c -> "'" + c + "'").toList())
				+ "])";
		try (Statement s = db.createStatement()) {
			exec(s, "customers", "SELECT setseed(0.2026)");
			// the server gives a customer a time-ordered id (Ids.newId(), UUID version 7) when it is created, so
			// customers registered over the years have ids in the order of registration, and their rows lie in
			// that order; -Dbench.audience.random-ids=true gives random ids (version 4) instead, as before 2026-11-25
			String id = Boolean.getBoolean("bench.audience.random-ids") ? "gen_random_uuid()" : """
					CAST(lpad(to_hex(floor(extract(epoch FROM registered) * 1000)::bigint), 12, '0') || '7'
					     || substr(md5(random()::text), 1, 3) || substr('89ab', 1 + floor(random() * 4)::int, 1)
					     || substr(md5(random()::text), 1, 15) AS uuid)""";
			exec(s, "customers", """
					CREATE TEMP TABLE g AS
					SELECT n, %s AS id, store, level, birthday, registered
					  FROM (SELECT n, %s[1 + floor(random() * 10)::int] AS store,
					               (ARRAY['REGULAR','REGULAR','REGULAR','REGULAR','SILVER','SILVER','SILVER','GOLD','GOLD','DIAMOND'])
					                 [1 + floor(random() * 10)::int] AS level,
					               DATE '1960-01-01' + floor(random() * 16800)::int AS birthday,
					               now() - random() * interval '1000 days' AS registered
					          FROM generate_series(1, %d) AS n) r
					 ORDER BY registered""".formatted(id, storeArray, customers));
			exec(s, "identity customers", """
					INSERT INTO identity_customers (id, external_id, phone, nickname, home_store_id, member_level, birthday,
					                                created_at, updated_at)
					SELECT id, 'bench-c-' || n, '+86138' || lpad(n::text, 8, '0'), '顾客' || n, store, level, birthday,
					       registered, registered FROM g""");
			exec(s, "profiles", """
					INSERT INTO audience_profiles (customer_id, home_store_id, member_level, birthday, birthday_md, phone,
					                               registered_at, updated_at)
					SELECT id, store, level, birthday,
					       (extract(month FROM birthday) * 100 + extract(day FROM birthday))::smallint,
					       '+86138' || lpad(n::text, 8, '0'), registered, now() FROM g""");
			exec(s, "purchases", """
					INSERT INTO audience_purchases (order_id, line_no, customer_id, store_id, category, product_external_id,
					                                quantity, amount_fen, paid_at)
					SELECT gen_random_uuid(), 1, g.id, CASE WHEN random() < 0.8 THEN g.store ELSE %s[1 + floor(random() * 10)::int] END,
					       %s[1 + floor(random() * 16)::int], 'P-' || floor(random() * 300)::int, 1 + floor(random() * 2)::int,
					       5000 + floor(power(random(), 3) * 500000)::bigint, now() - random() * interval '730 days'
					  FROM g, generate_series(1, 5) AS k WHERE random() < 0.5""".formatted(storeArray, categories));
			exec(s, "profile facts", """
					WITH f AS (SELECT customer_id, min(paid_at) AS first_at, max(paid_at) AS last_at,
					                  count(DISTINCT order_id) AS orders, sum(amount_fen) AS spend
					             FROM audience_purchases GROUP BY customer_id),
					     ranked AS (SELECT customer_id, category, n,
					                       row_number() OVER (PARTITION BY customer_id ORDER BY n DESC, category) AS r
					                  FROM (SELECT customer_id, category, count(DISTINCT order_id) AS n FROM audience_purchases
					                         WHERE category IS NOT NULL GROUP BY customer_id, category) x),
					     c AS (SELECT customer_id, array_agg(category ORDER BY n DESC, category) AS cats
					             FROM ranked WHERE r <= 3 GROUP BY customer_id)
					UPDATE audience_profiles p
					   SET first_purchase_at = f.first_at, last_purchase_at = f.last_at, order_count = f.orders,
					       total_spend_fen = f.spend, favourite_categories = coalesce(c.cats, '{}'), updated_at = now()
					  FROM f LEFT JOIN c ON c.customer_id = f.customer_id
					 WHERE p.customer_id = f.customer_id""");
			exec(s, "subscriptions", """
					INSERT INTO audience_subscriptions (customer_id, topic, source, created_at)
					SELECT id, 'tag:新款耳钉', 'QR', now() FROM g WHERE random() < 0.10
					UNION ALL
					SELECT id, 'category:耳饰', 'WIDGET', now() FROM g WHERE random() < 0.05""");
			exec(s, "consents", """
					INSERT INTO audience_consents (customer_id, channel, purpose, granted, source, changed_at)
					SELECT id, 'SMS', 'MARKETING', TRUE, 'IMPORT', now() - interval '100 days' FROM g WHERE random() < 0.6
					UNION ALL
					SELECT id, 'IN_APP', 'MARKETING', FALSE, 'CHAT_REPLY', now() - interval '10 days' FROM g WHERE random() < 0.02""");
			exec(s, "manual tag", """
					WITH t AS (INSERT INTO audience_tags (id, name, kind, created_by, created_at, updated_at)
					           VALUES (gen_random_uuid(), 'VIP接待', 'MANUAL', 'bench', now(), now()) RETURNING id)
					INSERT INTO audience_customer_tags (tag_id, customer_id, source, assigned_by, assigned_at)
					SELECT t.id, g.id, 'IMPORT', 'bench', now() FROM t, g
					 WHERE g.level IN ('GOLD', 'DIAMOND') AND random() < 0.1""");
			exec(s, "earlier sends", """
					INSERT INTO audience_frequency (customer_id, sends, keys)
					SELECT id, ARRAY[now() - interval '3 days', now() - interval '2 days', now() - interval '1 day'],
					       ARRAY['earlier-1', 'earlier-2', 'earlier-3'] FROM g WHERE n % 10 = 0
					UNION ALL
					SELECT id, ARRAY[now() - interval '5 days', now() - interval '4 days'], ARRAY['earlier-1', 'earlier-2']
					  FROM g WHERE n % 10 = 1""");
			exec(s, "vacuum", "VACUUM ANALYZE");
		}
		double seconds = (System.nanoTime() - started) / 1e9;
		Bench.progress("audience data: %,d customers in %.1f s", customers, seconds);
		return seconds;
	}

	long count(String sql) throws SQLException {
		try (Statement s = db.createStatement(); var rs = s.executeQuery(sql)) {
			rs.next();
			return rs.getLong(1);
		}
	}

	private static void exec(Statement s, String what, String sql) throws SQLException {
		long started = System.nanoTime();
		s.execute(sql);
		Bench.progress("  %s: %.1f s", what, (System.nanoTime() - started) / 1e9);
	}

	private String node(String parent, String kind, String code, String name) throws Exception {
		StorecastApi.Response r = fixture.api.post("/api/v1/org/nodes", fixture.ownerToken,
				Map.of("parentId", parent, "kind", kind, "code", code, "name", name));
		if (r.status() != 201) {
			throw new IllegalStateException("creating " + code + " failed: " + r.status() + " " + r.body());
		}
		return r.body().path("id").asString();
	}

	/** A request with a long timeout (a bulk operation over a million customers). */
	StorecastApi.Response call(String method, String path, Object body) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(fixture.api.uri(path))
			.timeout(Duration.ofMinutes(15))
			.header("Authorization", "Bearer " + fixture.ownerToken);
		if (body == null) {
			request.method(method, HttpRequest.BodyPublishers.noBody());
		}
		else {
			request.header("Content-Type", "application/json")
				.method(method, HttpRequest.BodyPublishers.ofString(StorecastApi.JSON.writeValueAsString(body)));
		}
		return fixture.api.send(request.build());
	}

	/** The body of a 2xx answer, or an exception naming the call. */
	JsonNode ok(StorecastApi.Response response, String what) {
		if (response.status() / 100 != 2) {
			throw new IllegalStateException(what + " failed: " + response.status() + " " + response.body());
		}
		return response.body();
	}

	@Override
	public void close() {
		// the server's own account of where a batch's time went, and any error, before its folder goes
		try {
			List<String> lines = java.nio.file.Files.readAllLines(fixture.server.log());
			for (int i = 0; i < lines.size(); i++) {
				String l = lines.get(i);
				if (l.contains("Contact policy:")) {
					Bench.progress("server: %s", l.substring(l.indexOf("Contact policy:")));
				}
				else if (l.contains(" ERROR ")) {
					Bench.progress("server: %s", String.join("\n", lines.subList(i, Math.min(lines.size(), i + 25))));
				}
			}
		}
		catch (java.io.IOException | java.io.UncheckedIOException ignored) {
			// no log, no diagnosis
		}
		try {
			db.close();
		}
		catch (SQLException ignored) {
			// the server goes next
		}
		fixture.close();
	}
}
