package io.storecast.catalog.internal;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.catalog.SkuId;
import io.storecast.identity.OrgNodeId;
import io.storecast.messaging.ConversationId;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** The low-stock alert cards sent ({@code catalog_stock_alerts}): what a button pressed on one refers to. */
@Repository
class StockAlerts {

	/** A transfer an alert card offers: units from another store. */
	record Suggestion(OrgNodeId storeId, long quantity, long onHand) {
	}

	record Alert(UUID id, SkuId skuId, OrgNodeId storeId, long level, int threshold, List<Suggestion> suggestions) {

		Optional<Suggestion> suggestionFrom(OrgNodeId store) {
			return suggestions.stream().filter(s -> s.storeId().equals(store)).findFirst();
		}
	}

	private static final TypeReference<List<Suggestion>> SUGGESTIONS = new TypeReference<>() {
	};

	private final JdbcClient jdbc;
	private final JsonMapper json;

	StockAlerts(JdbcClient jdbc, JsonMapper json) {
		this.jdbc = jdbc;
		this.json = json;
	}

	/** Records the alert unless it was recorded before (a listener that runs again); returns the one stored. */
	Alert insertIfAbsent(Alert alert, Instant now) {
		jdbc.sql("""
				INSERT INTO catalog_stock_alerts (id, sku_id, store_id, level, threshold, suggestions, created_at)
				VALUES (?, ?, ?, ?, ?, CAST(? AS jsonb), ?) ON CONFLICT (id) DO NOTHING""")
			.params(alert.id(), alert.skuId().value(), alert.storeId().value(), alert.level(), alert.threshold(),
					json.writeValueAsString(alert.suggestions()), Timestamp.from(now))
			.update();
		return find("id = ?", alert.id()).orElseThrow();
	}

	void cardPosted(UUID id, ConversationId conversation, long seq) {
		jdbc.sql("UPDATE catalog_stock_alerts SET conversation_id = ?, seq = ? WHERE id = ?")
			.params(conversation.value(), seq, id)
			.update();
	}

	Optional<Alert> findByCard(ConversationId conversation, long seq) {
		return find("conversation_id = ? AND seq = ?", conversation.value(), seq);
	}

	private Optional<Alert> find(String where, Object... params) {
		return jdbc.sql("SELECT * FROM catalog_stock_alerts WHERE " + where)
			.params(params)
			.query((rs, n) -> new Alert(rs.getObject("id", UUID.class), new SkuId(rs.getObject("sku_id", UUID.class)),
					new OrgNodeId(rs.getObject("store_id", UUID.class)), rs.getLong("level"), rs.getInt("threshold"),
					json.readValue(rs.getString("suggestions"), SUGGESTIONS)))
			.optional();
	}
}
