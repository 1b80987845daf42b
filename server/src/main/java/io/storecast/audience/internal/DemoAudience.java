package io.storecast.audience.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.Order;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

import io.storecast.audience.Channel;
import io.storecast.audience.Purpose;
import io.storecast.identity.CustomerDirectory;
import io.storecast.identity.CustomerId;
import io.storecast.identity.CustomerProfile;
import io.storecast.identity.DemoMerchantLoaded;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNode;
import io.storecast.platform.Ids;
import tools.jackson.databind.json.JsonMapper;

/**
 * The demo merchant's audience: a profile per customer, the rule tags 耳钉爱好者 and 高价值, some
 * manual tags, topic subscriptions, SMS consents and a few withdrawals, and segments ("earring
 * lovers in East region", "dormant VIPs" …). Written in the demo's transaction (after the catalog,
 * before the order history exists); once the demo is committed, a rebuild reads the order history
 * (which published no events) and evaluates the rules. The same seed gives the same data.
 */
@Component
class DemoAudience {

	private static final Logger log = LoggerFactory.getLogger(DemoAudience.class);

	static final long SEED = 20261003L;
	static final String EARRING_LOVERS = "耳钉爱好者";
	static final String HIGH_VALUE = "高价值";

	static final String EARRING_RULE = """
			{"purchases": {"category": "耳饰"}, "measure": "orders", "op": "gte", "value": 2}""";
	static final String HIGH_VALUE_RULE = """
			{"purchases": {"withinDays": 90}, "measure": "amountFen", "op": "gte", "value": 200000}""";

	static final Map<String, String> SEGMENTS = Map.of(
			"earring lovers in East region", """
					{"all": [{"field": "tag", "op": "has", "value": "耳钉爱好者"},
					         {"field": "org", "op": "in", "value": ["EAST"]}]}""",
			"dormant VIPs", """
					{"all": [{"field": "lifecycle", "op": "eq", "value": "DORMANT"},
					         {"field": "memberLevel", "op": "in", "value": ["GOLD", "DIAMOND"]}]}""",
			"new earrings audience", """
					{"any": [{"field": "tag", "op": "has", "value": "耳钉爱好者"},
					         {"field": "subscription", "op": "in", "value": ["tag:新款耳钉", "category:耳饰"]}]}""",
			"birthdays this week", """
					{"all": [{"field": "birthday", "op": "inNextDays", "value": 7},
					         {"field": "consent", "op": "granted", "value": "SMS"}]}""");

	private final Profiles profiles;
	private final Tags tags;
	private final Subscriptions subscriptions;
	private final ConsentLedger consents;
	private final StoredSegments segments;
	private final ProfileKeeping keeping;
	private final CustomerDirectory customers;
	private final OrgDirectory org;
	private final JsonMapper json;
	private final Clock clock;

	DemoAudience(Profiles profiles, Tags tags, Subscriptions subscriptions, ConsentLedger consents,
			StoredSegments segments, ProfileKeeping keeping, CustomerDirectory customers, OrgDirectory org, JsonMapper json,
			Clock clock) {
		this.profiles = profiles;
		this.tags = tags;
		this.subscriptions = subscriptions;
		this.consents = consents;
		this.segments = segments;
		this.keeping = keeping;
		this.customers = customers;
		this.org = org;
		this.json = json;
		this.clock = clock;
	}

	/** In the demo's transaction: everything that does not need the order history. */
	@EventListener
	@Order(300)
	void on(DemoMerchantLoaded demo) {
		if (tags.findByName(EARRING_LOVERS).isPresent()) {
			return;
		}
		Instant now = clock.instant();
		List<CustomerProfile> people = new ArrayList<>();
		for (CustomerId id : demo.customers()) {
			customers.find(id).ifPresent(c -> {
				profiles.upsertIdentity(c, now);
				people.add(c);
			});
		}
		rule(EARRING_LOVERS, "在耳饰类目下单至少 2 次", EARRING_RULE, now);
		rule(HIGH_VALUE, "近 90 天消费满 ¥2,000", HIGH_VALUE_RULE, now);
		Random random = new Random(SEED);
		Tags.Tag vip = tags.ensureManual("VIP接待", "demo", now);
		Tags.Tag wedding = tags.ensureManual("婚庆客户", "demo", now);
		Optional<OrgNode> flagship = org.storesUnder(demo.headOffice()).stream().filter(s -> s.code().equals("SH-NJR")).findFirst();
		int subscribed = 0;
		int smsConsents = 0;
		for (CustomerProfile c : people) {
			int dice = random.nextInt(100);
			if (("GOLD".equals(c.memberLevel()) || "DIAMOND".equals(c.memberLevel())) && dice < 40) {
				tags.assign(vip.id(), c.id().value(), "MANUAL", "demo", now);
			}
			if (dice >= 95) {
				tags.assign(wedding.id(), c.id().value(), "IMPORT", "demo", now);
			}
			if (random.nextInt(10) == 0) {
				subscribed += follow(c, "tag:新款耳钉", "QR", now);
			}
			if (random.nextInt(12) == 0) {
				subscribed += follow(c, "category:耳饰", "WIDGET", now);
			}
			if (flagship.isPresent() && flagship.get().id().equals(c.homeStoreId()) && random.nextInt(4) == 0) {
				subscribed += follow(c, "store:" + flagship.get().id(), "GROUP", now);
			}
			if (c.phone() != null && random.nextInt(10) < 6) {
				consents.change(c.id().value(), Channel.SMS, Purpose.MARKETING, true, "DEMO", "system",
						"demo: member sign-up form", now.minusSeconds(86_400L * (30 + random.nextInt(300))));
				smsConsents++;
			}
			if (random.nextInt(40) == 0) {
				consents.change(c.id().value(), Channel.IN_APP, Purpose.MARKETING, false, "DEMO", "system",
						"demo: replied 退订", now.minusSeconds(86_400L * (1 + random.nextInt(60))));
			}
		}
		SEGMENTS.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> segments.insert(
				new StoredSegments.Row(Ids.newId(), e.getKey(), null, json.writeValueAsString(json.readTree(e.getValue())),
						"demo", now, now)));
		log.info("Demo audience: {} profiles, 2 rule tags, {} subscriptions, {} SMS consents, {} segments", people.size(),
				subscribed, smsConsents, SEGMENTS.size());
	}

	/** After the demo is committed (order history included): facts from the history, then the rule tags. */
	@ApplicationModuleListener
	void rebuild(DemoMerchantLoaded demo) {
		keeping.rebuild(demo.customers());
	}

	private void rule(String name, String description, String rule, Instant now) {
		tags.insert(new Tags.Tag(Ids.newId(), name, "RULE", description, json.writeValueAsString(json.readTree(rule)), 1,
				"demo", now, now));
	}

	private int follow(CustomerProfile c, String topic, String source, Instant now) {
		return subscriptions.follow(c.id().value(), topic, source, now) ? 1 : 0;
	}
}
