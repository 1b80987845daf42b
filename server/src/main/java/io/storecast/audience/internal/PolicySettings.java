package io.storecast.audience.internal;

import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Contact-policy settings per org node ({@code audience_policy_settings}) and holidays ({@code audience_holidays}). */
@Repository
class PolicySettings {

	/** A node's own settings; null fields are inherited. */
	record NodeSettings(UUID orgNodeId, @Nullable LocalTime windowStart, @Nullable LocalTime windowEnd,
			@Nullable Integer cap, @Nullable Integer capDays, String updatedBy, Instant updatedAt) {
	}

	/** A day without marketing for the whole merchant (node null) or a subtree, or with a window of its own. */
	record Holiday(UUID id, LocalDate day, @Nullable UUID orgNodeId, String name, @Nullable LocalTime windowStart,
			@Nullable LocalTime windowEnd, Instant createdAt) {
	}

	private final JdbcClient jdbc;

	PolicySettings(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	List<NodeSettings> all() {
		return jdbc.sql("SELECT * FROM audience_policy_settings").query(PolicySettings::settings).list();
	}

	Optional<NodeSettings> find(UUID node) {
		return jdbc.sql("SELECT * FROM audience_policy_settings WHERE org_node_id = ?")
			.param(node)
			.query(PolicySettings::settings)
			.optional();
	}

	void save(NodeSettings s) {
		jdbc.sql("""
				INSERT INTO audience_policy_settings (org_node_id, window_start, window_end, cap, cap_days, updated_by, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (org_node_id) DO UPDATE
				   SET window_start = EXCLUDED.window_start, window_end = EXCLUDED.window_end, cap = EXCLUDED.cap,
				       cap_days = EXCLUDED.cap_days, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at""")
			.params(s.orgNodeId(), time(s.windowStart()), time(s.windowEnd()), s.cap(), s.capDays(), s.updatedBy(),
					Timestamp.from(s.updatedAt()))
			.update();
	}

	boolean delete(UUID node) {
		return jdbc.sql("DELETE FROM audience_policy_settings WHERE org_node_id = ?").param(node).update() == 1;
	}

	List<Holiday> holidays(@Nullable LocalDate from) {
		return jdbc.sql("SELECT * FROM audience_holidays WHERE (CAST(? AS date) IS NULL OR day >= ?) ORDER BY day, name")
			.params(from == null ? null : Date.valueOf(from), from == null ? null : Date.valueOf(from))
			.query(PolicySettings::holiday)
			.list();
	}

	/** False when the node already has a holiday that day. */
	boolean insertHoliday(Holiday h) {
		return jdbc.sql("""
				INSERT INTO audience_holidays (id, day, org_node_id, name, window_start, window_end, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""")
			.params(h.id(), Date.valueOf(h.day()), h.orgNodeId(), h.name(), time(h.windowStart()), time(h.windowEnd()),
					Timestamp.from(h.createdAt()))
			.update() == 1;
	}

	boolean deleteHoliday(UUID id) {
		return jdbc.sql("DELETE FROM audience_holidays WHERE id = ?").param(id).update() == 1;
	}

	private static @Nullable Time time(@Nullable LocalTime t) {
		return t == null ? null : Time.valueOf(t);
	}

	private static @Nullable LocalTime localTime(ResultSet rs, String column) throws SQLException {
		Time t = rs.getTime(column);
		return t == null ? null : t.toLocalTime();
	}

	private static NodeSettings settings(ResultSet rs, int n) throws SQLException {
		int cap = rs.getInt("cap");
		Integer capOrNull = rs.wasNull() ? null : cap;
		int days = rs.getInt("cap_days");
		Integer daysOrNull = rs.wasNull() ? null : days;
		return new NodeSettings(rs.getObject("org_node_id", UUID.class), localTime(rs, "window_start"),
				localTime(rs, "window_end"), capOrNull, daysOrNull, rs.getString("updated_by"), Rows.instant(rs, "updated_at"));
	}

	private static Holiday holiday(ResultSet rs, int n) throws SQLException {
		return new Holiday(rs.getObject("id", UUID.class), rs.getDate("day").toLocalDate(), Rows.uuid(rs, "org_node_id"),
				rs.getString("name"), localTime(rs, "window_start"), localTime(rs, "window_end"),
				Rows.instant(rs, "created_at"));
	}
}
