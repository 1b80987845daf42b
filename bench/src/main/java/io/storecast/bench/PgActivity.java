package io.storecast.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What PostgreSQL wrote in a phase, from its cumulative statistics ({@code pg_stat_wal},
 * {@code pg_stat_checkpointer}, PostgreSQL 17): WAL bytes, full-page images and checkpoints. Taken
 * before and after a phase; {@link #since} is the difference.
 */
record PgActivity(long walBytes, long walFullPages, long checkpointsTimed, long checkpointsRequested) {

	static PgActivity now(int pgPort) throws SQLException {
		try (Connection c = DriverManager.getConnection(CouponClaimStormScenario.jdbcUrl(pgPort), "postgres", "");
				Statement s = c.createStatement();
				ResultSet rs = s.executeQuery("SELECT w.wal_bytes, w.wal_fpi, k.num_timed, k.num_requested"
						+ " FROM pg_stat_wal w, pg_stat_checkpointer k")) {
			rs.next();
			return new PgActivity(rs.getBigDecimal(1).longValue(), rs.getLong(2), rs.getLong(3), rs.getLong(4));
		}
	}

	PgActivity since(PgActivity before) {
		return new PgActivity(walBytes - before.walBytes, walFullPages - before.walFullPages,
				checkpointsTimed - before.checkpointsTimed, checkpointsRequested - before.checkpointsRequested);
	}

	/** Emits the phase's WAL per {@code unit} of work and its checkpoints. */
	void emit(Results results, String scenario, String phase, long units, String unit) {
		results.emit(scenario, phase + "_wal_bytes_per_" + unit, (double) walBytes / Math.max(1, units), "bytes");
		results.emit(scenario, phase + "_wal_full_pages", walFullPages, "pages");
		results.emit(scenario, phase + "_checkpoints", checkpointsTimed + checkpointsRequested, "checkpoints");
		results.emit(scenario, phase + "_checkpoints_requested", checkpointsRequested, "checkpoints");
	}
}
