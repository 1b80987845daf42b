package io.storecast.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A diagnostic for scenarios whose server loads {@code pg_stat_statements}
 * ({@code --storecast.db.embedded-settings[shared_preload_libraries]=pg_stat_statements}): the
 * statements that took the server's embedded PostgreSQL the most time in a phase, as progress lines.
 */
final class PgStatements {

	private PgStatements() {
	}

	/** Starts the counts afresh (creating the extension the first time). */
	static void reset(int pgPort) throws SQLException {
		try (Connection c = DriverManager.getConnection(CouponClaimStormScenario.jdbcUrl(pgPort), "postgres", "");
				Statement s = c.createStatement()) {
			s.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
			s.execute("SELECT pg_stat_statements_reset()");
		}
	}

	/** The {@code limit} statements that took the most time since the reset. */
	static void report(int pgPort, String scenario, String phase, int limit) throws SQLException {
		try (Connection c = DriverManager.getConnection(CouponClaimStormScenario.jdbcUrl(pgPort), "postgres", "");
				Statement s = c.createStatement();
				ResultSet rs = s.executeQuery("SELECT calls, total_exec_time, total_plan_time, rows,"
						+ " shared_blks_hit + shared_blks_read, left(regexp_replace(query, '\\s+', ' ', 'g'), 160)"
						+ " FROM pg_stat_statements ORDER BY total_exec_time + total_plan_time DESC LIMIT " + limit)) {
			Bench.progress("%s: %s, PostgreSQL's statements by time (pg_stat_statements):", scenario, phase);
			while (rs.next()) {
				Bench.progress("  %8d calls %9.1f ms exec %7.1f ms plan %8d rows %9d blocks  %s", rs.getLong(1),
						rs.getDouble(2), rs.getDouble(3), rs.getLong(4), rs.getLong(5), rs.getString(6));
			}
		}
	}
}
