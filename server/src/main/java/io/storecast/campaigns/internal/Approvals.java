package io.storecast.campaigns.internal;

import static io.storecast.campaigns.internal.Campaigns.ts;

import java.time.Instant;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.campaigns.CampaignId;
import tools.jackson.databind.json.JsonMapper;

/** Sends waiting for approval and their decisions ({@code campaigns_approvals}), and the threshold ({@code campaigns_settings}). */
@Repository
class Approvals {

	enum Decision {
		APPROVED, REJECTED
	}

	/**
	 * @param audience the audience counted when the send was asked
	 * @param request the send as asked, done as asked when approved
	 * @param decision null while pending
	 */
	record Approval(CampaignId campaignId, String requestedBy, Instant requestedAt, long audience,
			CampaignManagement.SendRequest request, @Nullable Decision decision, @Nullable String decidedBy,
			@Nullable Instant decidedAt, @Nullable String reason) {
	}

	/** @param updatedBy null: never changed over the API (the property's default) */
	record Settings(long approvalAbove, @Nullable String updatedBy, @Nullable Instant updatedAt) {
	}

	private final JdbcClient jdbc;
	private final JsonMapper json;
	private final CampaignSettings defaults;

	Approvals(JdbcClient jdbc, JsonMapper json, CampaignSettings defaults) {
		this.jdbc = jdbc;
		this.json = json;
		this.defaults = defaults;
	}

	Settings settings() {
		return jdbc.sql("SELECT * FROM campaigns_settings")
			.query((rs, n) -> new Settings(rs.getLong("approval_above"), rs.getString("updated_by"),
					Campaigns.instant(rs, "updated_at")))
			.optional()
			.orElse(new Settings(defaults.approvalAbove(), null, null));
	}

	void saveSettings(long approvalAbove, String by, Instant now) {
		jdbc.sql("""
				INSERT INTO campaigns_settings (id, approval_above, updated_by, updated_at) VALUES (TRUE, ?, ?, ?)
				ON CONFLICT (id) DO UPDATE SET approval_above = excluded.approval_above, updated_by = excluded.updated_by,
				                               updated_at = excluded.updated_at""")
			.params(approvalAbove, by, ts(now))
			.update();
	}

	/** Records a send waiting for approval (a campaign rejected before and sent again asks anew). */
	void request(CampaignId id, String by, Instant now, long audience, CampaignManagement.SendRequest request) {
		jdbc.sql("""
				INSERT INTO campaigns_approvals (campaign_id, requested_by, requested_at, audience, request)
				VALUES (?, ?, ?, ?, CAST(? AS jsonb))
				ON CONFLICT (campaign_id) DO UPDATE SET requested_by = excluded.requested_by,
				       requested_at = excluded.requested_at, audience = excluded.audience, request = excluded.request,
				       decision = NULL, decided_by = NULL, decided_at = NULL, reason = NULL""")
			.params(id.value(), by, ts(now), audience, json.writeValueAsString(request))
			.update();
	}

	void decide(CampaignId id, Decision decision, String by, Instant now, @Nullable String reason) {
		jdbc.sql("UPDATE campaigns_approvals SET decision = ?, decided_by = ?, decided_at = ?, reason = ? WHERE campaign_id = ?")
			.params(decision.name(), by, ts(now), reason, id.value())
			.update();
	}

	Optional<Approval> find(CampaignId id) {
		return jdbc.sql("SELECT * FROM campaigns_approvals WHERE campaign_id = ?")
			.param(id.value())
			.query((rs, n) -> {
				String decision = rs.getString("decision");
				return new Approval(id, rs.getString("requested_by"), rs.getTimestamp("requested_at").toInstant(),
						rs.getLong("audience"), json.readValue(rs.getString("request"), CampaignManagement.SendRequest.class),
						decision == null ? null : Decision.valueOf(decision), rs.getString("decided_by"),
						Campaigns.instant(rs, "decided_at"), rs.getString("reason"));
			})
			.optional();
	}
}
