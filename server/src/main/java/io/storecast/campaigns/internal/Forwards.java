package io.storecast.campaigns.internal;

import static io.storecast.campaigns.internal.Campaigns.ts;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.campaigns.CampaignId;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.StaffId;

/** A cascade's forwards in {@code campaigns_forwards}: each child campaign, its source, store and employee. */
@Repository
class Forwards {

	/** @param automatic made by the store's forward rule (in the name of who set it), not by hand */
	record Forward(CampaignId childId, CampaignId sourceId, OrgNodeId storeId, StaffId forwardedBy,
			String forwardedByName, Instant forwardedAt, boolean automatic) {
	}

	private final JdbcClient jdbc;

	Forwards(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** Records a forward; false when the store had already forwarded this source. */
	boolean insert(Forward f) {
		return jdbc.sql("""
				INSERT INTO campaigns_forwards (child_id, source_id, store_id, forwarded_by, forwarded_by_name, forwarded_at,
				       automatic)
				VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""")
			.params(f.childId().value(), f.sourceId().value(), f.storeId().value(), f.forwardedBy().value(),
					f.forwardedByName(), ts(f.forwardedAt()), f.automatic())
			.update() == 1;
	}

	Optional<Forward> find(CampaignId source, OrgNodeId store) {
		return jdbc.sql("SELECT * FROM campaigns_forwards WHERE source_id = ? AND store_id = ?")
			.params(source.value(), store.value())
			.query(Forwards::map)
			.optional();
	}

	List<Forward> bySource(CampaignId source) {
		return jdbc.sql("SELECT * FROM campaigns_forwards WHERE source_id = ? ORDER BY forwarded_at, child_id")
			.param(source.value())
			.query(Forwards::map)
			.list();
	}

	/** The counters of several campaigns at once (their shards summed), by campaign then name. */
	Map<CampaignId, Map<String, Long>> counters(Collection<CampaignId> campaigns) {
		Map<CampaignId, Map<String, Long>> counters = new HashMap<>();
		if (campaigns.isEmpty()) {
			return counters;
		}
		jdbc.sql("""
				SELECT campaign_id, name, sum(n) FROM campaigns_counters
				 WHERE campaign_id = ANY(CAST(? AS uuid[])) GROUP BY campaign_id, name""")
			.param(campaigns.stream().map(CampaignId::value).toArray(UUID[]::new))
			.query(rs -> {
				counters.computeIfAbsent(new CampaignId(rs.getObject(1, UUID.class)), k -> new HashMap<>())
					.put(rs.getString(2), rs.getLong(3));
			});
		return counters;
	}

	private static Forward map(ResultSet rs, int n) throws SQLException {
		return new Forward(new CampaignId(rs.getObject("child_id", UUID.class)),
				new CampaignId(rs.getObject("source_id", UUID.class)), new OrgNodeId(rs.getObject("store_id", UUID.class)),
				new StaffId(rs.getObject("forwarded_by", UUID.class)), rs.getString("forwarded_by_name"),
				rs.getTimestamp("forwarded_at").toInstant(), rs.getBoolean("automatic"));
	}
}
