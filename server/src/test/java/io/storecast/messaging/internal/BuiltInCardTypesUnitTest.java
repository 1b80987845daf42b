package io.storecast.messaging.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

import io.storecast.messaging.CardType;
import io.storecast.platform.ApiException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class BuiltInCardTypesUnitTest {

	static final JsonMapper JSON = JsonMapper.builder().build();

	final BuiltInCardTypes types = new BuiltInCardTypes();
	final CardType product = types.productCard();
	final CardType coupon = types.couponCard();
	final CardType promotion = types.promotionCard();
	final CardType order = types.orderCard();
	final CardType action = types.actionCard();

	/** Single quotes keep the payloads readable; none of them contains an apostrophe. */
	static JsonNode json(String json) {
		return JSON.readTree(json.replace('\'', '"'));
	}

	static void accepted(CardType card, String payload) {
		assertThatCode(() -> card.validate(json(payload))).doesNotThrowAnyException();
	}

	static void refused(CardType card, String payload, String field, String problem) {
		assertThatThrownBy(() -> card.validate(json(payload))).isInstanceOfSatisfying(ApiException.class, ex -> {
			assertThat(ex.status()).isEqualTo(HttpStatus.BAD_REQUEST);
			assertThat(ex.code()).isEqualTo("invalid-card");
			assertThat(ex.fieldProblems()).singleElement().satisfies(fieldProblem -> {
				assertThat(fieldProblem.field()).isEqualTo(field);
				assertThat(fieldProblem.message()).contains(problem);
			});
		});
	}

	@Test
	void names() {
		assertThat(new CardType[] { product, coupon, promotion, order, action }).extracting(CardType::name)
			.containsExactly("product", "coupon", "promotion", "order", "action");
	}

	@Test
	void valid_payloads_of_each_type() {
		accepted(product, "{'productId': 'P-1001', 'name': '春季新款连衣裙', 'priceFen': 29900}");
		accepted(product, """
				{'productId': 'P-1001', 'name': 'Dress', 'priceFen': 0, 'imageUrl': 'https://cdn.example.com/p/1.jpg',
				 'skuId': 'SKU-1', 'storeId': '0b9f6a4e-3c1d-4a8e-9f2b-7d6c5e4a3b21'}""");
		accepted(product, "{'productId': 'P-1', 'name': 'Dress', 'priceFen': 100, 'imageUrl': null}");
		accepted(coupon, "{'templateId': 'T-9', 'title': '满200减30'}");
		accepted(coupon, """
				{'templateId': 'T-9', 'title': '满200减30', 'discountFen': 3000, 'thresholdFen': 20000, 'percentOff': 100,
				 'validUntil': '2026-06-30T23:59:59+08:00', 'claimAction': 'claim'}""");
		accepted(promotion, "{'title': '618 大促'}");
		accepted(promotion, """
				{'title': '618 大促', 'text': '', 'imageUrl': 'http://cdn.example.com/banner.png',
				 'link': 'https://shop.example.com/618?from=chat', 'startsAt': '2026-06-01T00:00:00Z',
				 'endsAt': '2026-06-18T23:59:59Z'}""");
		accepted(order, "{'orderId': 'O-20260501-0001', 'status': 'CREATED'}");
		accepted(order, """
				{'orderId': 'O-1', 'status': 'OUT_FOR_DELIVERY', 'carrier': 'SF Express', 'trackingNumber': 'SF1234567890',
				 'totalFen': 12900, 'expectedDelivery': '2026-05-03'}""");
		accepted(order, "{'orderId': 'O-1', 'status': 'SHIPPED', 'expectedDelivery': '2026-05-03T18:00:00Z'}");
		accepted(action, "{'title': 'Rate your visit', 'buttons': [{'id': 'good', 'label': '👍 好评'}]}");
		accepted(action, """
				{'title': 'Pick-up time', 'text': 'When will you come by?', 'buttons': [
				 {'id': 'slot_1', 'label': '10:00'}, {'id': 'slot-2', 'label': '14:00'}, {'id': 'SLOT3', 'label': '18:00'},
				 {'id': 'a', 'label': 'Tomorrow'}, {'id': 'b', 'label': '%s'}]}""".formatted("😀".repeat(20)));
	}

	@Test
	void the_payload_must_be_an_object() {
		refused(product, "[]", "payload", "must be a JSON object");
		refused(action, "'text'", "payload", "must be a JSON object");
		refused(order, "null", "payload", "must be a JSON object");
	}

	@Test
	void missing_required_fields() {
		refused(product, "{'productId': 'P-1', 'name': 'Dress'}", "payload.priceFen", "is required");
		refused(product, "{'productId': 'P-1', 'name': 'Dress', 'priceFen': null}", "payload.priceFen", "is required");
		refused(coupon, "{'title': 'x'}", "payload.templateId", "is required");
		refused(promotion, "{}", "payload.title", "is required");
		refused(order, "{'orderId': 'O-1'}", "payload.status", "is required");
		refused(action, "{'title': 'x'}", "payload.buttons", "is required");
	}

	@Test
	void wrong_json_types() {
		refused(product, "{'productId': 'P-1', 'name': 'Dress', 'priceFen': '100'}", "payload.priceFen",
				"must be an integer");
		refused(product, "{'productId': 'P-1', 'name': 'Dress', 'priceFen': 99.5}", "payload.priceFen",
				"must be an integer");
		refused(product, "{'productId': 1001, 'name': 'Dress', 'priceFen': 100}", "payload.productId",
				"must be a string");
		refused(coupon, "{'templateId': 'T', 'title': ['x']}", "payload.title", "must be a string");
		refused(order, "{'orderId': 'O-1', 'status': 1}", "payload.status", "must be a string");
		refused(action, "{'title': 'x', 'buttons': {'id': 'a', 'label': 'A'}}", "payload.buttons", "must be an array");
		refused(action, "{'title': 'x', 'buttons': ['a']}", "payload.buttons[0]", "must be a JSON object");
		refused(action, "{'title': 'x', 'buttons': [{'id': 'a', 'label': true}]}", "payload.buttons[0].label",
				"must be a string");
	}

	@Test
	void values_out_of_range() {
		refused(product, "{'productId': 'P-1', 'name': 'Dress', 'priceFen': -1}", "payload.priceFen",
				"must be at least 0");
		refused(product, "{'productId': 'P-1', 'name': 'Dress', 'priceFen': 99999999999999999999}", "payload.priceFen",
				"must be at least 0");
		refused(product, "{'productId': 'P-1', 'name': '%s', 'priceFen': 1}".formatted("x".repeat(201)),
				"payload.name", "must be at most 200 characters");
		refused(product, "{'productId': '', 'name': 'Dress', 'priceFen': 1}", "payload.productId", "must not be blank");
		refused(promotion, "{'title': '   '}", "payload.title", "must not be blank");
		refused(promotion, "{'title': 't', 'text': '%s'}".formatted("长".repeat(1001)), "payload.text",
				"must be at most 1000 characters");
		refused(coupon, "{'templateId': 'T', 'title': 'x', 'percentOff': 0}", "payload.percentOff",
				"must be between 1 and 100");
		refused(coupon, "{'templateId': 'T', 'title': 'x', 'percentOff': 101}", "payload.percentOff",
				"must be between 1 and 100");
		refused(coupon, "{'templateId': 'T', 'title': 'x', 'thresholdFen': -5}", "payload.thresholdFen",
				"must be at least 0");
		refused(coupon, "{'templateId': 'T', 'title': 'x', 'validUntil': '2026-06-30'}", "payload.validUntil",
				"ISO-8601 instant");
		refused(order, "{'orderId': 'O-1', 'status': 'paid'}", "payload.status", "must be one of CREATED, PAID");
		refused(order, "{'orderId': 'O-1', 'status': 'PAID', 'expectedDelivery': 'tomorrow'}",
				"payload.expectedDelivery", "ISO-8601 date or instant");
		refused(order, "{'orderId': 'O-1', 'status': 'PAID', 'carrier': '%s'}".formatted("c".repeat(65)),
				"payload.carrier", "must be at most 64 characters");
		refused(product, "{'productId': 'P', 'name': 'D', 'priceFen': 1, 'storeId': 'store-1'}", "payload.storeId",
				"must be a UUID");
	}

	@Test
	void unknown_fields_are_refused_by_name() {
		refused(product, "{'productId': 'P-1', 'name': 'Dress', 'priceFen': 100, 'imageURL': 'https://x.example'}",
				"payload.imageURL", "is not a field of a product card");
		// a typo in a required field is reported as the typo, not as the missing field
		refused(coupon, "{'templatId': 'T', 'title': 'x'}", "payload.templatId", "is not a field of a coupon card");
		refused(action, "{'title': 'x', 'buttons': [{'id': 'a', 'label': 'A', 'style': 'primary'}]}",
				"payload.buttons[0].style", "is not a field of a button");
	}

	@Test
	void urls_must_be_http_or_https() {
		String template = "{'title': 't', 'link': '%s'}";
		refused(promotion, template.formatted("javascript:alert(1)"), "payload.link", "must be an http or https URL");
		refused(promotion, template.formatted("ftp://files.example.com/a"), "payload.link", "http or https");
		refused(promotion, template.formatted("not a url"), "payload.link", "http or https");
		refused(promotion, template.formatted("https://"), "payload.link", "http or https");
		refused(promotion, template.formatted("/relative/path"), "payload.link", "http or https");
		refused(promotion, template.formatted("https://example.com/" + "a".repeat(2030)), "payload.link",
				"must be at most 2048 characters");
		refused(product, "{'productId': 'P', 'name': 'D', 'priceFen': 1, 'imageUrl': 'data:image/png;base64,AAAA'}",
				"payload.imageUrl", "http or https");
		accepted(promotion, template.formatted("HTTPS://Example.COM:8443/a?b=c#d"));
	}

	@Test
	void promotions_end_after_they_start() {
		refused(promotion, "{'title': 't', 'startsAt': '2026-06-18T00:00:00Z', 'endsAt': '2026-06-01T00:00:00Z'}",
				"payload.endsAt", "must be after startsAt");
		refused(promotion, "{'title': 't', 'startsAt': '2026-06-18T00:00:00Z', 'endsAt': '2026-06-18T00:00:00Z'}",
				"payload.endsAt", "must be after startsAt");
		refused(promotion, "{'title': 't', 'endsAt': 'soon'}", "payload.endsAt", "ISO-8601 instant");
		accepted(promotion, "{'title': 't', 'endsAt': '2026-06-18T00:00:00Z'}");
	}

	@Test
	void action_buttons() {
		refused(action, "{'title': 'x', 'buttons': []}", "payload.buttons", "must have 1 to 5 items");
		refused(action, """
				{'title': 'x', 'buttons': [{'id': 'a', 'label': 'A'}, {'id': 'b', 'label': 'B'}, {'id': 'c', 'label': 'C'},
				 {'id': 'd', 'label': 'D'}, {'id': 'e', 'label': 'E'}, {'id': 'f', 'label': 'F'}]}""", "payload.buttons",
				"must have 1 to 5 items");
		refused(action, "{'title': 'x', 'buttons': [{'id': 'a', 'label': 'A'}, {'id': 'b', 'label': 'B'}, {'id': 'a', 'label': 'C'}]}",
				"payload.buttons[2].id", "must differ from payload.buttons[0].id");
		refused(action, "{'title': 'x', 'buttons': [{'id': 'a', 'label': 'A'}, {'id': 'b', 'label': 'B'}, {'id': 'c', 'label': '%s'}]}"
			.formatted("L".repeat(21)), "payload.buttons[2].label", "must be at most 20 characters");
		refused(action, "{'title': 'x', 'buttons': [{'id': 'a', 'label': 'A'}, {'id': 'no spaces', 'label': 'B'}]}",
				"payload.buttons[1].id", "letters, digits");
		refused(action, "{'title': 'x', 'buttons': [{'id': '%s', 'label': 'A'}]}".formatted("i".repeat(65)),
				"payload.buttons[0].id", "letters, digits");
		refused(action, "{'title': 'x', 'buttons': [{'label': 'A'}]}", "payload.buttons[0].id", "is required");
	}
}
