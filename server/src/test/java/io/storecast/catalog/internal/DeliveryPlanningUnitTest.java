package io.storecast.catalog.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;

import org.junit.jupiter.api.Test;

class DeliveryPlanningUnitTest {

	static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

	static ZonedDateTime at(int day, int hour) {
		return ZonedDateTime.of(2026, 9, day, hour, 0, 0, 0, SHANGHAI);
	}

	@Test
	void before_the_cut_off_it_ships_today_and_arrives_after_the_lead_time() {
		DeliveryPlanning.Plan plan = DeliveryPlanning.plan(at(10, 15), 16, 1, 0, null);
		assertThat(plan.shipDate()).isEqualTo(LocalDate.of(2026, 9, 10));
		assertThat(plan.arrivalDate()).isEqualTo(LocalDate.of(2026, 9, 11));
		assertThat(plan.arrivesTomorrow()).isTrue();
		assertThat(plan.orderBy()).isEqualTo(at(10, 16).toInstant());
	}

	@Test
	void at_or_after_the_cut_off_it_ships_tomorrow() {
		DeliveryPlanning.Plan plan = DeliveryPlanning.plan(at(10, 16), 16, 1, 0, null);
		assertThat(plan.shipDate()).isEqualTo(LocalDate.of(2026, 9, 11));
		assertThat(plan.arrivesTomorrow()).isFalse();
		assertThat(DeliveryPlanning.plan(at(10, 23), 24, 0, 0, null).arrivalDate()).isEqualTo(LocalDate.of(2026, 9, 10));
		assertThat(DeliveryPlanning.plan(at(10, 1), 0, 1, 0, null).shipDate()).isEqualTo(LocalDate.of(2026, 9, 11));
	}

	@Test
	void a_product_not_launched_ships_from_its_launch_and_customisations_add_days() {
		DeliveryPlanning.Plan plan = DeliveryPlanning.plan(at(10, 9), 16, 2, 1, at(15, 10));
		assertThat(plan.shipDate()).isEqualTo(LocalDate.of(2026, 9, 16));
		assertThat(plan.arrivalDate()).isEqualTo(LocalDate.of(2026, 9, 18));
		assertThat(plan.orderBy()).isEqualTo(at(15, 16).toInstant());
	}
}
