package io.storecast.campaigns.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CampaignSendingPoolUnitTest {

	@Test
	void the_default_pool_fits_the_default_send_workers() {
		assertThat(CampaignSending.checkPool(2, 20)).isTrue();
		assertThat(CampaignSending.checkPool(7, 19)).isTrue();
	}

	@Test
	void a_pool_that_leaves_too_few_connections_for_the_rest_is_allowed_but_flagged() {
		assertThat(CampaignSending.checkPool(2, 5)).isFalse();
		assertThat(CampaignSending.checkPool(8, 20)).isFalse();
	}

	@Test
	void send_workers_that_could_wait_for_their_own_connections_refuse_to_start_and_say_what_to_change() {
		assertThatThrownBy(() -> CampaignSending.checkPool(10, 20)).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("send-workers=10 holds up to 21")
			.hasMessageContaining("pool-size=20")
			.hasMessageContaining("at least 25");
		assertThatThrownBy(() -> CampaignSending.checkPool(16, 20)).isInstanceOf(IllegalStateException.class);
	}

	@Test
	void a_data_source_that_is_not_a_pool_is_not_checked() {
		assertThat(CampaignSending.checkPool(16, 0)).isTrue();
	}
}
