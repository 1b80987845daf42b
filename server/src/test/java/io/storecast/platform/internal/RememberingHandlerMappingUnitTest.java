package io.storecast.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RememberingHandlerMappingUnitTest {

	@Test
	void uuidSegmentsAreBlankedAndNothingElse() {
		assertThat(RememberingHandlerMapping.blankIds(
				"/api/v1/coupon-templates/0d9c6a8e-7f3b-4c1a-9d2e-5b6f7a8c9d0e/claims"))
			.isEqualTo("/api/v1/coupon-templates/{}/claims");
		assertThat(RememberingHandlerMapping.blankIds(
				"/api/v1/conversations/0d9c6a8e-7f3b-4c1a-9d2e-5b6f7a8c9d0e/messages/17/ack"))
			.isEqualTo("/api/v1/conversations/{}/messages/17/ack");
		assertThat(RememberingHandlerMapping.blankIds("/a/0d9c6a8e-7f3b-4c1a-9d2e-5b6f7a8c9d0e"))
			.isEqualTo("/a/{}");
		assertThat(RememberingHandlerMapping.blankIds("/0d9c6a8e-7f3b-4c1a-9d2e-5b6f7a8c9d0e/"))
			.isEqualTo("/{}/");
	}

	@Test
	void literalSegmentsAndLookAlikesAreKept() {
		assertThat(RememberingHandlerMapping.blankIds("/api/v1/segments/preview")).isEqualTo("/api/v1/segments/preview");
		// 36 characters but not a UUID: a literal segment could match it, so it stays
		assertThat(RememberingHandlerMapping.blankIds("/x/0d9c6a8e-7f3b-4c1a-9d2e-5b6f7a8c9d0g"))
			.isEqualTo("/x/0d9c6a8e-7f3b-4c1a-9d2e-5b6f7a8c9d0g");
		assertThat(RememberingHandlerMapping.blankIds("/x/0d9c6a8e07f3b-4c1a-9d2e-5b6f7a8c9d0e"))
			.isEqualTo("/x/0d9c6a8e07f3b-4c1a-9d2e-5b6f7a8c9d0e");
		assertThat(RememberingHandlerMapping.blankIds("")).isEmpty();
		assertThat(RememberingHandlerMapping.blankIds("/")).isEqualTo("/");
	}
}
