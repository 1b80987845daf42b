package io.storecast.platform.internal;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Analyzes the small tables that have grown several times over since PostgreSQL last did, a few
 * seconds after they grew rather than at autovacuum's next look (every minute, and then only past
 * 10 % of changes).
 * <p>
 * Why: the JDBC driver keeps a prepared statement's plan after five uses, and so does PostgreSQL for
 * its foreign-key checks. A plan made while a table was empty — a new shop's first campaign, its
 * first flash sale — scans the whole table, and stays cached while the table grows to a hundred
 * thousand rows: a conversation looked up by its key read 32 blocks instead of 3, delivery's lease
 * 413 blocks a call. An ANALYZE updates the table's statistics, which makes every session plan its
 * statements on the table again. Only tables under {@value #SMALL} rows are analyzed here, a
 * handful of times as a table grows by factors of three. A small table takes milliseconds; the
 * delivery outbox at tens of thousands of rows took 0.3–0.9 s a time in a campaign bench on a busy
 * 2-core machine (wide columns). Larger tables are left to autovacuum. Several nodes may do it at
 * once: harmless.
 */
@Component
class GrowingTables implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(GrowingTables.class);

	/** Tables with fewer rows than this (in their last statistics) are analyzed here. */
	static final long SMALL = 200_000;

	private final JdbcTemplate jdbc;
	private final Duration every;
	private @Nullable ScheduledExecutorService executor;

	GrowingTables(JdbcTemplate jdbc, DatabaseSettings settings) {
		this.jdbc = jdbc;
		this.every = settings.analyzeGrowing();
	}

	/**
	 * The tables of this schema with more than three times the rows their last analysis counted (and
	 * more than 50 since): grown, not merely updated. A small table updated all the time (a coupon's
	 * stock slots) is not analyzed again and again, which would make every session plan its
	 * statements on it again each time.
	 */
	List<String> growing() {
		return jdbc.queryForList("""
				SELECT quote_ident(s.schemaname) || '.' || quote_ident(s.relname)
				FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
				WHERE s.schemaname = current_schema() AND s.n_mod_since_analyze > 50
				  AND s.n_live_tup > 3 * greatest(c.reltuples, 0) AND greatest(c.reltuples, 0) < ?
				ORDER BY s.n_live_tup DESC""", String.class, SMALL);
	}

	/** Analyzes the growing tables; how many. */
	int analyzeGrowing() {
		List<String> tables = growing();
		for (String table : tables) {
			long started = System.nanoTime();
			jdbc.execute("ANALYZE " + table);
			log.debug("Analyzed {}, which had grown, in {} ms", table, (System.nanoTime() - started) / 1_000_000);
		}
		return tables.size();
	}

	@Override
	public void start() {
		if (every.isZero() || every.isNegative()) {
			return;
		}
		executor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("analyze-growing").daemon()
			.factory());
		executor.scheduleWithFixedDelay(() -> {
			try {
				analyzeGrowing();
			}
			catch (RuntimeException e) {
				log.debug("Could not analyze the growing tables", e);
			}
		}, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
	}

	@Override
	public void stop() {
		ScheduledExecutorService e = executor;
		executor = null;
		if (e != null) {
			e.shutdownNow();
		}
	}

	@Override
	public boolean isRunning() {
		return executor != null;
	}
}
