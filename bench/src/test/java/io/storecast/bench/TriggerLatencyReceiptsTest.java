package io.storecast.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TriggerLatencyReceiptsTest {

	static String push(String product) {
		return "{\"type\":\"message\",\"message\":{\"conversationId\":\"c1\",\"seq\":3,\"kind\":\"CARD\",\"body\":{\"card\":\"product\","
				+ "\"payload\":{\"productId\":\"" + product + "\",\"name\":\"珍珠耳钉\",\"priceFen\":39900}}}}";
	}

	@Test
	void eachCustomersFirstCardCountsAndAnotherIsADuplicate() {
		TriggerLatencyScenario.Receipts r = new TriggerLatencyScenario.Receipts(3);
		r.expect("TL-0-a");
		r.heard(0, push("TL-0-a"), 100);
		r.heard(2, push("TL-0-a"), 250);
		r.heard(2, push("TL-0-a"), 300);
		assertThat(r.received("TL-0-a")).isEqualTo(2);
		assertThat(r.byProduct.get("TL-0-a").get(2)).isEqualTo(250);
		assertThat(r.duplicates.get()).isEqualTo(1);
	}

	@Test
	void framesThatAreNotTheLaunchesCardsAreIgnoredOrCountedAsUnexpected() {
		TriggerLatencyScenario.Receipts r = new TriggerLatencyScenario.Receipts(1);
		r.expect("TL-0-a");
		r.heard(0, "{\"type\":\"hello\",\"participant\":\"customer:1\"}", 1);
		r.heard(0, "{\"type\":\"pong\",\"id\":\"p\"}", 2);
		r.heard(0, push("TL-9-z"), 3);
		assertThat(r.received("TL-0-a")).isZero();
		assertThat(r.unexpected.get()).isEqualTo(1);
		assertThat(TriggerLatencyScenario.Receipts.productOf("{\"type\":\"message\"}")).isNull();
	}
}
