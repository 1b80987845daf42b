package io.storecast.audience;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.storecast.audience.AudienceTesting.Customer;
import io.storecast.audience.Decision.Outcome;
import io.storecast.identity.CustomerId;
import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/**
 * The contact policy: the shared frequency cap counted atomically under concurrency, quiet hours in
 * the customer's (else the home store's) time zone with holidays, consent and suppression checks,
 * transactional messages, and every decision recorded with its reason. Decisions are asked for
 * fixed future moments (the demo stores are in Asia/Shanghai), on dates no other test uses.
 */
@StorecastIntegrationTest
class ContactPolicyIntegrationTest {

	/** Tuesday 2031-05-06 11:00 in Shanghai: inside the default 09:00-20:00 window. */
	static final Instant IN_WINDOW = Instant.parse("2031-05-06T03:00:00Z");

	@LocalServerPort
	int port;

	@Autowired
	ContactPolicy policy;

	@Autowired
	Suppressions suppressions;

	DemoFixture demo;
	Api backend;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
		backend = demo.anonymous.as(demo.apiKey("campaigns", "audience:write", "consent:write"));
	}

	@Test
	void two_campaigns_racing_for_the_last_slot_of_the_cap_get_exactly_one_send() throws Exception {
		CustomerId customer = customer("SH-NJR");
		assertThat(policy.decide(customer, Channel.IN_APP, Purpose.MARKETING, IN_WINDOW, "earlier-1").reason())
			.isEqualTo("within-policy");
		assertThat(policy.decide(customer, Channel.SMS, Purpose.MARKETING, IN_WINDOW, "earlier-2").reason())
			.isEqualTo("no-consent");
		assertThat(policy.decide(customer, Channel.IN_APP, Purpose.MARKETING, IN_WINDOW.plusSeconds(60), "earlier-2").outcome())
			.isEqualTo(Outcome.SEND_NOW);
		// one slot left (the default cap is 3 in 30 days, across campaigns and channels); 32 threads race for it
		List<Decision> results = race(32, i -> policy.decide(customer, Channel.IN_APP, Purpose.MARKETING,
				IN_WINDOW.plusSeconds(120), (i % 2 == 0 ? "campaign-A-" : "campaign-B-") + i));
		assertThat(results.stream().filter(d -> d.outcome() == Outcome.SEND_NOW)).hasSize(1);
		assertThat(results.stream().filter(d -> d.reason().equals("frequency-cap"))).hasSize(31);

		// many customers, many concurrent batches: each customer gets exactly its 3 slots
		List<CustomerId> batch = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			batch.add(customer("HZ-XH"));
		}
		List<List<Decision>> batches = race(12, i -> policy.decideAll(shuffled(batch, i), Channel.IN_APP, Purpose.MARKETING,
				IN_WINDOW, "batch-" + i));
		for (CustomerId c : batch) {
			long sent = batches.stream().flatMap(List::stream)
				.filter(d -> d.customerId().equals(c) && d.outcome() == Outcome.SEND_NOW)
				.count();
			assertThat(sent).as("sends to %s", c).isEqualTo(3);
		}
	}

	@Test
	void deciding_again_for_the_same_message_takes_no_second_slot() {
		CustomerId customer = customer("SZ-GQJ");
		assertThat(policy.decide(customer, Channel.IN_APP, Purpose.MARKETING, IN_WINDOW, "retry-me").reason())
			.isEqualTo("within-policy");
		assertThat(policy.decide(customer, Channel.IN_APP, Purpose.MARKETING, IN_WINDOW, "retry-me").reason())
			.isEqualTo("already-counted");
		assertThat(policy.decide(customer, Channel.IN_APP, Purpose.MARKETING, IN_WINDOW, "second").outcome())
			.isEqualTo(Outcome.SEND_NOW);
		assertThat(policy.decide(customer, Channel.IN_APP, Purpose.MARKETING, IN_WINDOW, "third").outcome())
			.isEqualTo(Outcome.SEND_NOW);
		assertThat(policy.decide(customer, Channel.IN_APP, Purpose.MARKETING, IN_WINDOW, "fourth").reason())
			.isEqualTo("frequency-cap");
		// 30 days later the window has rolled on
		assertThat(policy.decide(customer, Channel.IN_APP, Purpose.MARKETING, IN_WINDOW.plus(Duration.ofDays(31)), "later")
			.outcome()).isEqualTo(Outcome.SEND_NOW);
		// a key counted outside the window counts no more: a recurring campaign's next round takes a slot
		CustomerId monthly = customer("SZ-GQJ");
		assertThat(policy.decide(monthly, Channel.IN_APP, Purpose.MARKETING, IN_WINDOW, "monthly").reason())
			.isEqualTo("within-policy");
		assertThat(policy.decide(monthly, Channel.IN_APP, Purpose.MARKETING, IN_WINDOW.plus(Duration.ofDays(31)), "monthly")
			.reason()).isEqualTo("within-policy");
		assertThat(policy.decide(monthly, Channel.IN_APP, Purpose.MARKETING, IN_WINDOW.plus(Duration.ofDays(31)), "monthly")
			.reason()).isEqualTo("already-counted");
		// transactional messages neither need nor take a slot, day or night
		Instant night = Instant.parse("2031-05-06T16:00:00Z");
		assertThat(policy.decide(customer, Channel.IN_APP, Purpose.TRANSACTIONAL, night, "order-shipped").reason())
			.isEqualTo("transactional");
	}

	@Test
	void quiet_hours_follow_the_customers_time_zone_and_the_holiday_calendar() {
		CustomerId shanghai = customer("SH-NJR");
		CustomerId newYork = customer("SH-NJR");
		demo.owner.patch("/api/v1/audience/customers/" + newYork, Map.of("timeZone", "America/New_York")).expect(200);
		// 2031-03-11 13:30 UTC: 21:30 in Shanghai (closed), 09:30 in New York (open, EDT)
		Instant at = Instant.parse("2031-03-11T13:30:00Z");
		Decision sh = policy.decide(shanghai, Channel.IN_APP, Purpose.MARKETING, at, "launch-2230");
		assertThat(sh.outcome()).isEqualTo(Outcome.DEFER);
		assertThat(sh.reason()).isEqualTo("quiet-hours");
		assertThat(sh.deferUntil()).isEqualTo(Instant.parse("2031-03-12T01:00:00Z"));
		assertThat(policy.decide(newYork, Channel.IN_APP, Purpose.MARKETING, at, "launch-2230").outcome())
			.isEqualTo(Outcome.SEND_NOW);
		// transactional goes at once
		assertThat(policy.decide(shanghai, Channel.IN_APP, Purpose.TRANSACTIONAL, at, "shipped").outcome())
			.isEqualTo(Outcome.SEND_NOW);

		// a holiday on the 12th for the whole merchant: the Shanghai message waits for the 13th
		String holiday = demo.owner.post("/api/v1/audience/policy/holidays", Map.of("day", "2031-03-12", "name", "测试假日"))
			.expect(201)
			.string("id");
		Decision skipped = policy.decide(shanghai, Channel.IN_APP, Purpose.MARKETING, at, "launch-2230-b");
		assertThat(skipped.deferUntil()).isEqualTo(Instant.parse("2031-03-13T01:00:00Z"));
		Decision onHoliday = policy.decide(shanghai, Channel.IN_APP, Purpose.MARKETING, Instant.parse("2031-03-12T03:00:00Z"),
				"holiday-noon");
		assertThat(onHoliday.reason()).isEqualTo("holiday");
		assertThat(onHoliday.deferUntil()).isEqualTo(Instant.parse("2031-03-13T01:00:00Z"));
		// a holiday of the East region only, with its own window: 14:00-16:00
		demo.owner.post("/api/v1/audience/policy/holidays", Map.of("day", "2031-03-14", "name", "华东店庆", "orgNodeId",
				demo.node("EAST"), "sendWindow", Map.of("start", "14:00", "end", "16:00"))).expect(201);
		Decision anniversary = policy.decide(shanghai, Channel.IN_APP, Purpose.MARKETING,
				Instant.parse("2031-03-14T02:00:00Z"), "anniversary");
		assertThat(anniversary.reason()).isEqualTo("holiday");
		assertThat(anniversary.deferUntil()).isEqualTo(Instant.parse("2031-03-14T06:00:00Z"));
		CustomerId south = customer("GZ-TH");
		assertThat(policy.decide(south, Channel.IN_APP, Purpose.MARKETING, Instant.parse("2031-03-14T02:00:00Z"),
				"anniversary").outcome()).isEqualTo(Outcome.SEND_NOW);
		demo.owner.post("/api/v1/audience/policy/holidays", Map.of("day", "2031-03-14", "name", "again", "orgNodeId",
				demo.node("EAST"))).expectProblem(409, "holiday-exists");
		demo.owner.post("/api/v1/audience/policy/holidays", Map.of("day", "2031-03-15", "name", "bad",
				"sendWindow", Map.of("start", "18:00", "end", "08:00"))).expectProblem(400, "invalid-send-window");
		demo.owner.delete("/api/v1/audience/policy/holidays/" + holiday).expect(204);

		// a customer at the cap when the window opens is dropped now, not deferred
		CustomerId busy = customer("SH-NJR");
		for (String key : List.of("m1", "m2", "m3")) {
			policy.decide(busy, Channel.IN_APP, Purpose.MARKETING, Instant.parse("2031-03-11T05:00:00Z"), key);
		}
		Decision capped = policy.decide(busy, Channel.IN_APP, Purpose.MARKETING, at, "m4");
		assertThat(capped.outcome()).isEqualTo(Outcome.DROP);
		assertThat(capped.reason()).isEqualTo("frequency-cap");
	}

	@Test
	void windows_and_caps_are_set_per_org_node() {
		String store = demo.node("SZ-WXC");
		JsonNode set = demo.owner.put("/api/v1/audience/policy/nodes/" + store,
				Map.of("sendWindow", Map.of("start", "10:00", "end", "12:00"), "cap", 1, "capDays", 7))
			.expect(200)
			.json();
		assertThat(set.path("effective").path("cap").asInt()).isEqualTo(1);
		assertThat(set.path("effective").path("windowStart").asString()).isEqualTo("10:00");
		try {
			CustomerId customer = customer("SZ-WXC");
			// 11:00 Shanghai: open; 09:30: before the store's own window
			assertThat(policy.decide(customer, Channel.IN_APP, Purpose.MARKETING, IN_WINDOW.minus(Duration.ofMinutes(90)), "w")
				.deferUntil()).isEqualTo(Instant.parse("2031-05-06T02:00:00Z"));
			assertThat(policy.decide(customer, Channel.IN_APP, Purpose.MARKETING, IN_WINDOW, "one").outcome())
				.isEqualTo(Outcome.SEND_NOW);
			assertThat(policy.decide(customer, Channel.IN_APP, Purpose.MARKETING, IN_WINDOW, "two").reason())
				.isEqualTo("frequency-cap");
			// the region above is unchanged
			assertThat(demo.owner.get("/api/v1/audience/policy/nodes/" + demo.node("SOUTH")).expect(200).json()
				.path("effective").path("cap").asInt()).isEqualTo(3);
			demo.staff("sz-wxc.manager").put("/api/v1/audience/policy/nodes/" + store, Map.of("cap", 100))
				.expectProblem(403, "forbidden");
			demo.owner.put("/api/v1/audience/policy/nodes/" + store, Map.of("sendWindow", Map.of("start", "21:00", "end", "09:00")))
				.expectProblem(400, "invalid-send-window");
		}
		finally {
			demo.owner.put("/api/v1/audience/policy/nodes/" + store, Map.of()).expect(200);
		}
	}

	@Test
	void consent_suppression_and_withdrawn_channels_are_checked_for_every_message() {
		Customer customer = Customer.of(demo, "GZ-TH");
		CustomerId id = CustomerId.valueOf(customer.id());
		await(id);
		assertThat(policy.decide(id, Channel.SMS, Purpose.MARKETING, IN_WINDOW, "sms-1").reason()).isEqualTo("no-consent");
		backend.post("/api/v1/audience/customers/" + customer.id() + "/consents", Map.of("channel", "SMS", "purpose",
				"MARKETING", "granted", true, "source", "PAPER_FORM", "evidence", "会员登记表 #2031-0042")).expect(201);
		assertThat(policy.decide(id, Channel.SMS, Purpose.MARKETING, IN_WINDOW, "sms-2").reason()).isEqualTo("no-phone");
		// the phone number arrives with identity's CustomerUpdated
		String phone = "+8613" + String.format("%09d", Math.abs(UUID.randomUUID().getLeastSignificantBits()) % 1_000_000_000L);
		demo.owner.patch("/api/v1/customers/" + customer.id(), Map.of("phone", phone)).expect(200);
		org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(
				() -> policy.decide(id, Channel.SMS, Purpose.TRANSACTIONAL, IN_WINDOW, "sms-probe").reason().equals("transactional"));
		assertThat(policy.decide(id, Channel.SMS, Purpose.MARKETING, IN_WINDOW, "sms-3").reason()).isEqualTo("within-policy");

		// a number that keeps failing is suppressed, for marketing and transactional alike
		assertThat(suppressions.recordFailure(phone, "UNDELIVERABLE", IN_WINDOW)).isFalse();
		assertThat(suppressions.recordFailure(phone, "UNDELIVERABLE", IN_WINDOW)).isFalse();
		assertThat(suppressions.recordFailure(phone, "INVALID_NUMBER", IN_WINDOW)).isTrue();
		assertThat(suppressions.recordFailure(phone, "INVALID_NUMBER", IN_WINDOW)).isFalse();
		assertThat(policy.decide(id, Channel.SMS, Purpose.MARKETING, IN_WINDOW, "sms-4").reason()).isEqualTo("suppressed");
		assertThat(policy.decide(id, Channel.SMS, Purpose.TRANSACTIONAL, IN_WINDOW, "sms-5").reason()).isEqualTo("suppressed");
		demo.owner.delete("/api/v1/audience/suppressions/" + phone).expect(204);
		assertThat(policy.decide(id, Channel.SMS, Purpose.TRANSACTIONAL, IN_WINDOW, "sms-6").reason()).isEqualTo("transactional");
		backend.post("/api/v1/audience/suppressions", Map.of("phone", phone, "reason", "COMPLAINT")).expect(201);
		backend.post("/api/v1/audience/suppressions", Map.of("phone", phone, "reason", "COMPLAINT")).expect(200);
		assertThat(suppressions.isSuppressed(phone)).isTrue();
		demo.owner.delete("/api/v1/audience/suppressions/" + phone).expect(204);

		// marketing withdrawn: transactional still goes; the channel withdrawn altogether: nothing goes
		customer.api().post("/api/v1/audience/me/consents", Map.of("channel", "SMS", "purpose", "MARKETING", "granted", false))
			.expect(201);
		assertThat(policy.decide(id, Channel.SMS, Purpose.MARKETING, IN_WINDOW, "sms-7").reason()).isEqualTo("consent-withdrawn");
		assertThat(policy.decide(id, Channel.SMS, Purpose.TRANSACTIONAL, IN_WINDOW, "sms-8").reason()).isEqualTo("transactional");
		customer.api().post("/api/v1/audience/me/consents",
				Map.of("channel", "SMS", "purpose", "TRANSACTIONAL", "granted", false)).expect(201);
		assertThat(policy.decide(id, Channel.SMS, Purpose.TRANSACTIONAL, IN_WINDOW, "sms-9").reason())
			.isEqualTo("consent-withdrawn");
		assertThat(policy.decide(CustomerId.valueOf(UUID.randomUUID().toString()), Channel.IN_APP, Purpose.MARKETING, IN_WINDOW,
				"nobody").reason()).isEqualTo("unknown-customer");
	}

	@Test
	void batches_are_decided_over_rest_and_every_decision_is_recorded_with_its_reason() {
		CustomerId a = customer("SH-NJR");
		CustomerId b = customer("SH-NJR");
		String key = "rest-" + UUID.randomUUID();
		JsonNode answer = backend.post("/api/v1/audience/policy/decisions", Map.of("customerIds",
				List.of(a.toString(), b.toString(), a.toString()), "channel", "IN_APP", "purpose", "MARKETING", "at",
				IN_WINDOW.toString(), "campaignKey", key)).expect(200).json();
		assertThat(answer.path("decisions").size()).isEqualTo(3);
		assertThat(answer.path("sendNow").asInt()).isEqualTo(3);
		JsonNode recorded = backend.get("/api/v1/audience/policy/decisions?campaignKey=" + key).expect(200).json();
		assertThat(recorded.path("items").size()).isEqualTo(2);
		assertThat(recorded.path("items").get(0).path("reason").asString()).isEqualTo("within-policy");
		JsonNode first = backend.get("/api/v1/audience/policy/decisions?limit=1&campaignKey=" + key).expect(200).json();
		JsonNode second = backend.get("/api/v1/audience/policy/decisions?limit=1&campaignKey=" + key + "&after="
				+ first.path("nextCursor").asString()).expect(200).json();
		assertThat(List.of(first.path("items").get(0).path("customerId").asString(),
				second.path("items").get(0).path("customerId").asString())).containsExactly(a.toString(), b.toString());
		assertThat(backend.get("/api/v1/audience/policy/decisions?campaignKey=" + key + "&customerId=" + b).expect(200).json()
			.path("items").size()).isEqualTo(1);

		// a snapshot decided in one request: the summary, the decisions in the log
		String segment = demo.owner.post("/api/v1/audience/segments", Map.of("name", "policy-" + key, "condition",
				Map.of("field", "org", "op", "in", "value", List.of("SH-NJR")))).expect(201).string("id");
		JsonNode snapshot = demo.owner.post("/api/v1/audience/segments/" + segment + "/snapshots", Map.of("key", key))
			.expect(201)
			.json();
		Instant night = Instant.parse("2031-05-06T14:00:00Z");
		JsonNode summary = backend.post("/api/v1/audience/policy/decisions", Map.of("snapshotId",
				snapshot.path("id").asString(), "channel", "IN_APP", "purpose", "MARKETING", "at", night.toString(),
				"campaignKey", key + "-night")).expect(200).json();
		assertThat(summary.path("decided").asLong()).isEqualTo(snapshot.path("memberCount").asLong());
		assertThat(summary.path("deferred").asLong() + summary.path("dropped").asLong()).isEqualTo(summary.path("decided").asLong());
		assertThat(summary.path("reasons").path("quiet-hours").asLong()).isPositive();

		backend.post("/api/v1/audience/policy/decisions", Map.of("customerIds", List.of(a.toString()), "channel", "FAX",
				"purpose", "MARKETING", "campaignKey", key)).expectProblem(400, "invalid-value");
		backend.post("/api/v1/audience/policy/decisions", Map.of("customerIds", List.of(a.toString()), "channel", "SMS",
				"purpose", "MARKETING")).expectProblem(400, "validation-failed");
		demo.staff("sh-njr.manager").post("/api/v1/audience/policy/decisions", Map.of("customerIds", List.of(a.toString()),
				"channel", "SMS", "purpose", "MARKETING", "campaignKey", key)).expectProblem(403, "forbidden");
	}

	// --- helpers ----------------------------------------------------------------------------------

	private CustomerId customer(String store) {
		CustomerId id = CustomerId.valueOf(Customer.of(demo, store).id());
		await(id);
		return id;
	}

	/** Profiles are made from identity's CustomerRegistered event, after its commit. */
	private void await(CustomerId id) {
		org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
			.until(() -> demo.owner.get("/api/v1/audience/customers/" + id).status() == 200
					&& !policy.decide(id, Channel.IN_APP, Purpose.TRANSACTIONAL, IN_WINDOW, "probe").reason()
						.equals("unknown-customer"));
	}

	private static List<CustomerId> shuffled(List<CustomerId> list, int seed) {
		List<CustomerId> copy = new ArrayList<>(list);
		Collections.shuffle(copy, new java.util.Random(seed));
		return copy;
	}

	interface Task<T> {
		T run(int i) throws Exception;
	}

	/** Runs n tasks released at the same moment, on n threads. */
	private static <T> List<T> race(int n, Task<T> task) throws Exception {
		CountDownLatch start = new CountDownLatch(1);
		List<Future<T>> futures = new ArrayList<>();
		try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
			for (int i = 0; i < n; i++) {
				int index = i;
				futures.add(pool.submit(() -> {
					start.await();
					return task.run(index);
				}));
			}
			start.countDown();
			List<T> out = new ArrayList<>();
			for (Future<T> f : futures) {
				out.add(f.get());
			}
			return out;
		}
	}
}
