package io.storecast.campaigns.internal;

import static io.storecast.campaigns.internal.Campaigns.ts;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.audience.Purpose;
import io.storecast.audience.SegmentId;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.StaffId;

/** Stores' forward rules in {@code campaigns_forward_rules}: one per store. */
@Repository
class ForwardRules {

	/**
	 * A store's standing instruction to forward every cascade announced to it.
	 *
	 * @param audience {@code STORES} or {@code SEGMENT} (with its segment)
	 * @param purposes the purposes of the campaigns it forwards; null: any
	 * @param setBy whose forwards the rule makes (they are measured for them)
	 */
	record Rule(OrgNodeId storeId, boolean enabled, int delayMinutes, Campaign.Audience audience,
			@Nullable List<Purpose> purposes, StaffId setBy, String setByName, Instant updatedAt) {

		boolean forwards(Purpose purpose) {
			return purposes == null || purposes.contains(purpose);
		}
	}

	private final JdbcClient jdbc;

	ForwardRules(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	void upsert(Rule r) {
		jdbc.sql("""
				INSERT INTO campaigns_forward_rules (store_id, enabled, delay_minutes, audience_kind, segment_id, purposes,
				       set_by, set_by_name, updated_at)
				VALUES (?, ?, ?, ?, ?, CAST(? AS text[]), ?, ?, ?)
				ON CONFLICT (store_id) DO UPDATE SET enabled = EXCLUDED.enabled, delay_minutes = EXCLUDED.delay_minutes,
				       audience_kind = EXCLUDED.audience_kind, segment_id = EXCLUDED.segment_id, purposes = EXCLUDED.purposes,
				       set_by = EXCLUDED.set_by, set_by_name = EXCLUDED.set_by_name, updated_at = EXCLUDED.updated_at""")
			.params(r.storeId().value(), r.enabled(), r.delayMinutes(), r.audience().kind().name(),
					r.audience().segmentId() == null ? null : r.audience().segmentId().value(),
					r.purposes() == null ? null : r.purposes().stream().map(Purpose::name).toArray(String[]::new),
					r.setBy().value(), r.setByName(), ts(r.updatedAt()))
			.update();
	}

	Optional<Rule> find(OrgNodeId store) {
		return jdbc.sql("SELECT * FROM campaigns_forward_rules WHERE store_id = ?")
			.param(store.value())
			.query(ForwardRules::map)
			.optional();
	}

	/** The enabled rules of these stores. */
	List<Rule> enabledAt(List<OrgNodeId> stores) {
		return jdbc.sql("SELECT * FROM campaigns_forward_rules WHERE enabled AND store_id = ANY(CAST(? AS uuid[]))")
			.param(stores.stream().map(OrgNodeId::value).toArray(UUID[]::new))
			.query(ForwardRules::map)
			.list();
	}

	/** Every store's rule, the latest set first. */
	List<Rule> all() {
		return jdbc.sql("SELECT * FROM campaigns_forward_rules ORDER BY updated_at DESC, store_id").query(ForwardRules::map).list();
	}

	boolean delete(OrgNodeId store) {
		return jdbc.sql("DELETE FROM campaigns_forward_rules WHERE store_id = ?").param(store.value()).update() == 1;
	}

	private static Rule map(ResultSet rs, int n) throws SQLException {
		UUID segment = rs.getObject("segment_id", UUID.class);
		Array purposes = rs.getArray("purposes");
		return new Rule(new OrgNodeId(rs.getObject("store_id", UUID.class)), rs.getBoolean("enabled"),
				rs.getInt("delay_minutes"),
				new Campaign.Audience(Campaign.AudienceKind.valueOf(rs.getString("audience_kind")),
						segment == null ? null : new SegmentId(segment), null),
				purposes == null ? null : Arrays.stream((String[]) purposes.getArray()).map(Purpose::valueOf).toList(),
				new StaffId(rs.getObject("set_by", UUID.class)), rs.getString("set_by_name"),
				rs.getTimestamp("updated_at").toInstant());
	}
}
