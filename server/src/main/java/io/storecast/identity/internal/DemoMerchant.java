package io.storecast.identity.internal;

import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.identity.CustomerId;
import io.storecast.identity.CustomerProfile;
import io.storecast.identity.CustomerRegistered;
import io.storecast.identity.DemoMerchantLoaded;
import io.storecast.identity.OpeningHours;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.OrgNodeKind;
import io.storecast.identity.Role;
import io.storecast.identity.StaffId;
import io.storecast.platform.Ids;

/**
 * The demo merchant ({@code storecast.demo=true}): 礼遇 gift shops with two regions, five stores,
 * staff in every role and about 200 customers. Loaded once; other modules add theirs on
 * {@link DemoMerchantLoaded}. The data is the same on every machine (fixed random seed).
 */
@Component
class DemoMerchant {

	private static final Logger log = LoggerFactory.getLogger(DemoMerchant.class);

	static final String DONE_KEY = "demo-loaded";
	static final int CUSTOMERS = 200;

	record StoreSpec(String code, String name, String city, String managerName, String[] clerkNames) {
	}

	record RegionSpec(String code, String name, String city, String managerName, List<StoreSpec> stores) {
	}

	static final List<RegionSpec> REGIONS = List.of(
			new RegionSpec("EAST", "华东区", "上海", "陈华东", List.of(
					new StoreSpec("SH-NJR", "上海南京路店", "上海", "王店长", new String[] { "李晓雨", "张一帆" }),
					new StoreSpec("HZ-XH", "杭州西湖店", "杭州", "赵店长", new String[] { "钱多多", "孙悦" }),
					new StoreSpec("SZ-GQJ", "苏州观前街店", "苏州", "周店长", new String[] { "吴桐", "郑小雅" }))),
			new RegionSpec("SOUTH", "华南区", "广州", "林华南", List.of(
					new StoreSpec("GZ-TH", "广州天河店", "广州", "黄店长", new String[] { "何晓彤", "罗家明" }),
					new StoreSpec("SZ-WXC", "深圳万象城店", "深圳", "梁店长", new String[] { "谢婷婷", "冯子健" }))));

	private static final String[] SURNAMES = { "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马",
			"朱", "胡", "郭", "何", "林", "罗", "高" };
	private static final String[] GIVEN = { "小雨", "思琪", "子涵", "浩然", "欣怡", "梓萱", "一诺", "雨桐", "俊杰", "嘉怡", "晓彤",
			"家豪", "婉清", "明轩", "诗雨", "佳琪", "宇航", "若曦", "天佑", "可欣" };
	private static final String[] NICK_PARTS = { "爱礼物的", "追剧的", "喝奶茶的", "周末逛街的", "养猫的", "爱旅行的", "早起的",
			"会做饭的" };
	private static final String[] LEVELS = { "REGULAR", "REGULAR", "REGULAR", "REGULAR", "SILVER", "SILVER", "SILVER",
			"GOLD", "GOLD", "DIAMOND" };
	private static final String[] MOBILE_PREFIXES = { "138", "139", "136", "150", "151", "158", "186", "187", "135",
			"177" };

	private final DemoSettings demo;
	private final IdentitySettings settings;
	private final OrgNodes nodes;
	private final StaffMembers staff;
	private final Customers customers;
	private final Passwords passwords;
	private final Installation installation;
	private final AuditLog audit;
	private final ApplicationEventPublisher events;
	private final TransactionTemplate tx;
	private final Clock clock;

	DemoMerchant(DemoSettings demo, IdentitySettings settings, OrgNodes nodes, StaffMembers staff, Customers customers,
			Passwords passwords, Installation installation, AuditLog audit, ApplicationEventPublisher events,
			TransactionTemplate tx, Clock clock) {
		this.demo = demo;
		this.settings = settings;
		this.nodes = nodes;
		this.staff = staff;
		this.customers = customers;
		this.passwords = passwords;
		this.installation = installation;
		this.audit = audit;
		this.events = events;
		this.tx = tx;
		this.clock = clock;
	}

	@EventListener(ApplicationReadyEvent.class)
	void loadIfRequested() {
		if (demo.demo()) {
			tx.executeWithoutResult(status -> load());
		}
	}

	private void load() {
		installation.lock();
		if (installation.get(DONE_KEY).isPresent()) {
			log.info("Demo merchant already loaded");
			return;
		}
		String configured = settings.demoPassword();
		String password = configured == null || configured.isBlank() ? Secrets.password() : configured;
		String hash = passwords.hash(password);
		Instant now = clock.instant();
		OrgNode hq = nodes.headOffice();
		nodes.update(new OrgNode(hq.id(), null, hq.kind(), hq.code(), "礼遇总部", hq.timeZone(), "上海",
				hq.openingHours(), hq.path(), hq.createdAt(), now));

		List<String> accounts = new ArrayList<>();
		addStaff("hq.marketer", "许市场", Role.HQ_MARKETER, hq.id(), hash, now, accounts);
		List<OrgNodeId> stores = new ArrayList<>();
		for (RegionSpec r : REGIONS) {
			OrgNode region = node(hq, OrgNodeKind.REGION, r.code(), r.name(), r.city(), OpeningHours.none(), now);
			addStaff(r.code().toLowerCase() + ".manager", r.managerName(), Role.REGION_MANAGER, region.id(), hash, now,
					accounts);
			for (StoreSpec s : r.stores()) {
				OrgNode store = node(region, OrgNodeKind.STORE, s.code(), s.name(), s.city(), storeHours(), now);
				stores.add(store.id());
				String prefix = s.code().toLowerCase();
				addStaff(prefix + ".manager", s.managerName(), Role.STORE_MANAGER, store.id(), hash, now, accounts);
				for (int i = 0; i < s.clerkNames().length; i++) {
					addStaff(prefix + ".clerk" + (i + 1), s.clerkNames()[i], Role.CLERK, store.id(), hash, now,
							accounts);
				}
			}
		}

		Random random = new Random(20261001L);
		List<CustomerId> created = new ArrayList<>();
		for (int i = 1; i <= CUSTOMERS; i++) {
			CustomerProfile c = customer(i, random, stores, now);
			if (customers.insertIfAbsent(c)) {
				created.add(c.id());
				events.publishEvent(new CustomerRegistered(c.id(), c.externalId(), c.homeStoreId()));
			}
		}
		installation.set(DONE_KEY, now.toString());
		audit.record("DEMO_LOADED", null, null, "demo", hq.path(), null,
				Map.of("stores", stores.size(), "staff", accounts.size(), "customers", created.size()));
		events.publishEvent(new DemoMerchantLoaded(hq.id(), List.copyOf(stores), List.copyOf(created)));
		log.warn("""

				==============================================================================
				 Demo merchant loaded: 2 regions, {} stores, {} staff, {} customers.
				 Staff accounts: {}
				 Their password: {}
				==============================================================================""",
				stores.size(), accounts.size(), created.size(), String.join(", ", accounts),
				configured == null || configured.isBlank() ? password + "  (shown only now)" : "(STORECAST_DEMO_PASSWORD)");
	}

	private OrgNode node(OrgNode parent, OrgNodeKind kind, String code, String name, String city, OpeningHours hours,
			Instant now) {
		OrgNodeId id = new OrgNodeId(Ids.newId());
		OrgNode node = new OrgNode(id, parent.id(), kind, code, name, parent.timeZone(), city, hours,
				parent.path() + id.value() + "/", now, now);
		nodes.insert(node);
		return node;
	}

	private void addStaff(String username, String name, Role role, OrgNodeId node, String hash, Instant now,
			List<String> accounts) {
		if (staff.findByUsername(username).isPresent()) {
			return;
		}
		staff.insert(new StaffMember(new StaffId(Ids.newId()), username, name, role, node, null, hash, false,
				StaffMember.Status.ACTIVE, now, now));
		accounts.add(username);
	}

	private static OpeningHours storeHours() {
		Map<DayOfWeek, List<OpeningHours.Interval>> days = new EnumMap<>(DayOfWeek.class);
		for (DayOfWeek d : DayOfWeek.values()) {
			boolean weekend = d == DayOfWeek.SATURDAY || d == DayOfWeek.SUNDAY;
			days.put(d, List.of(weekend ? new OpeningHours.Interval(LocalTime.of(9, 30), LocalTime.of(22, 30))
					: new OpeningHours.Interval(LocalTime.of(10, 0), LocalTime.of(22, 0))));
		}
		return new OpeningHours(days);
	}

	private static CustomerProfile customer(int i, Random random, List<OrgNodeId> stores, Instant now) {
		String name = SURNAMES[random.nextInt(SURNAMES.length)] + GIVEN[random.nextInt(GIVEN.length)];
		String nickname = random.nextInt(3) == 0 ? NICK_PARTS[random.nextInt(NICK_PARTS.length)] + name.substring(1)
				: name;
		String phone = "+86" + MOBILE_PREFIXES[random.nextInt(MOBILE_PREFIXES.length)]
				+ String.format("%08d", random.nextInt(100_000_000));
		LocalDate birthday = LocalDate.of(1960 + random.nextInt(46), 1 + random.nextInt(12), 1 + random.nextInt(28));
		String level = LEVELS[random.nextInt(LEVELS.length)];
		OrgNodeId home = stores.get(random.nextInt(stores.size()));
		return new CustomerProfile(new CustomerId(Ids.newId()), String.format("demo-c-%04d", i), phone, nickname, home,
				level, birthday, null, now, now);
	}
}
