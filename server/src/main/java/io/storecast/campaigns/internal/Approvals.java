package io.storecast.campaigns.internal;

import static io.storecast.campaigns.internal.Campaigns.ts;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.campaigns.CampaignId;
import io.storecast.identity.StaffId;
import io.storecast.messaging.ConversationId;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends waiting for approval and their decisions ({@code campaigns_approvals}), the threshold
 * ({@code campaigns_settings}), and the approval cards posted in the chat and their presses.
 */
@Repository
class Approvals {

	/** WITHDRAWN: by the requester (or another writer); EXPIRED: undecided when the campaign ended. */
	enum Decision {
		APPROVED, REJECTED, WITHDRAWN, EXPIRED
	}

	/**
	 * @param audience the audience counted when the send was asked
	 * @param request the send as asked, done as asked when approved
	 * @param decision null while pending
	 * @param requestId this request's id (a campaign sent again asks anew); null for one asked before it was kept
	 * @param requestedByStaff null: asked by an API key
	 */
	record Approval(CampaignId campaignId, String requestedBy, Instant requestedAt, long audience,
			CampaignManagement.SendRequest request, @Nullable Decision decision, @Nullable String decidedBy,
			@Nullable Instant decidedAt, @Nullable String reason, @Nullable UUID requestId,
			@Nullable StaffId requestedByStaff) {

		boolean pending() {
			return decision == null;
		}
	}

	/** An approve / reject card posted to {@code staffId} for a request. */
	record Card(ConversationId conversationId, long seq, CampaignId campaignId, UUID requestId, StaffId staffId) {
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
	void request(CampaignId id, UUID requestId, String by, @Nullable StaffId byStaff, Instant now, long audience,
			CampaignManagement.SendRequest request) {
		jdbc.sql("""
				INSERT INTO campaigns_approvals (campaign_id, requested_by, requested_at, audience, request, request_id,
				                                 requested_by_staff)
				VALUES (?, ?, ?, ?, CAST(? AS jsonb), ?, ?)
				ON CONFLICT (campaign_id) DO UPDATE SET requested_by = excluded.requested_by,
				       requested_at = excluded.requested_at, audience = excluded.audience, request = excluded.request,
				       request_id = excluded.request_id, requested_by_staff = excluded.requested_by_staff,
				       decision = NULL, decided_by = NULL, decided_at = NULL, reason = NULL""")
			.params(id.value(), by, ts(now), audience, json.writeValueAsString(request), requestId,
					byStaff == null ? null : byStaff.value())
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
				UUID staff = rs.getObject("requested_by_staff", UUID.class);
				return new Approval(id, rs.getString("requested_by"), rs.getTimestamp("requested_at").toInstant(),
						rs.getLong("audience"), json.readValue(rs.getString("request"), CampaignManagement.SendRequest.class),
						decision == null ? null : Decision.valueOf(decision), rs.getString("decided_by"),
						Campaigns.instant(rs, "decided_at"), rs.getString("reason"), rs.getObject("request_id", UUID.class),
						staff == null ? null : new StaffId(staff));
			})
			.optional();
	}

	// ---- cards in the chat and their presses

	void cardPosted(Card card, Instant now) {
		jdbc.sql("""
				INSERT INTO campaigns_approval_cards (conversation_id, seq, campaign_id, request_id, staff_id, posted_at)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""")
			.params(card.conversationId().value(), card.seq(), card.campaignId().value(), card.requestId(),
					card.staffId().value(), ts(now))
			.update();
	}

	Optional<Card> card(ConversationId conversation, long seq) {
		return jdbc.sql("SELECT * FROM campaigns_approval_cards WHERE conversation_id = ? AND seq = ?")
			.params(conversation.value(), seq)
			.query(Approvals::card)
			.optional();
	}

	/** The cards posted for a request, one per approver. */
	List<Card> cards(UUID requestId) {
		return jdbc.sql("SELECT * FROM campaigns_approval_cards WHERE request_id = ? ORDER BY posted_at, staff_id")
			.param(requestId)
			.query(Approvals::card)
			.list();
	}

	/** Records a press as handled; false when it had been (a press delivered again). */
	boolean pressed(ConversationId conversation, long seq, StaffId by, String action, String outcome, Instant now) {
		return jdbc.sql("""
				INSERT INTO campaigns_approval_presses (conversation_id, seq, staff_id, action, outcome, pressed_at)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING""")
			.params(conversation.value(), seq, by.value(), action, outcome, ts(now))
			.update() == 1;
	}

	boolean handled(ConversationId conversation, long seq, StaffId by) {
		return jdbc.sql("SELECT count(*) FROM campaigns_approval_presses WHERE conversation_id = ? AND seq = ? AND staff_id = ?")
			.params(conversation.value(), seq, by.value())
			.query(Long.class)
			.single() > 0;
	}

	private static Card card(ResultSet rs, int n) throws SQLException {
		return new Card(new ConversationId(rs.getObject("conversation_id", UUID.class)), rs.getLong("seq"),
				new CampaignId(rs.getObject("campaign_id", UUID.class)), rs.getObject("request_id", UUID.class),
				new StaffId(rs.getObject("staff_id", UUID.class)));
	}
}
