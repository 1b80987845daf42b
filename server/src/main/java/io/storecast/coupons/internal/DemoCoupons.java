package io.storecast.coupons.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.coupons.CouponKind;
import io.storecast.identity.CustomerId;
import io.storecast.identity.DemoMerchantLoaded;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNodeId;

/**
 * The demo merchant's coupons: 满200减30 on mooncake gift boxes, 9折封顶50, 无门槛10元 (valid 7 days
 * from the claim, one a day), a new-customer coupon, a gift candle over ¥300 for 中秋礼盒, free
 * shipping for gold and diamond members, and ¥10 off ¥100 at 上海南京路店 only; the first demo
 * customers are granted a few. Runs after the demo merchant (and its catalog) is committed.
 */
@Component
class DemoCoupons {

	private static final Logger log = LoggerFactory.getLogger(DemoCoupons.class);

	private final TemplateManagement management;
	private final Templates templates;
	private final CouponIssuing issuing;
	private final OrgDirectory org;
	private final TransactionTemplate tx;
	private final Clock clock;

	DemoCoupons(TemplateManagement management, Templates templates, CouponIssuing issuing, OrgDirectory org,
			PlatformTransactionManager transactions, Clock clock) {
		this.management = management;
		this.templates = templates;
		this.issuing = issuing;
		this.org = org;
		// after the demo merchant's commit its transaction is still bound to the thread: work in a new one
		this.tx = new TransactionTemplate(transactions);
		this.tx.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
		this.clock = clock;
	}

	@TransactionalEventListener
	void on(DemoMerchantLoaded demo) {
		try {
			tx.executeWithoutResult(s -> {
				if (!templates.list(null, null, 1).isEmpty()) {
					log.info("Coupon templates exist already: no demo coupons");
					return;
				}
				load(demo);
			});
		}
		catch (RuntimeException e) {
			log.warn("The demo coupons could not be loaded: {}", e.getMessage());
		}
	}

	private void load(DemoMerchantLoaded demo) {
		Instant now = clock.instant();
		ZoneId zone = org.headOffice().timeZone();
		Instant from = LocalDate.ofInstant(now, zone).atStartOfDay(zone).toInstant();
		Instant until = from.plus(Duration.ofDays(60));
		OrgNodeId nanjingRoad = demo.stores().getFirst();
		List<TemplateManagement.TemplateRequest> requests = List.of(
				request("中秋月饼礼盒 满200减30", CouponKind.AMOUNT_OFF, 3000L, 20000L, null, null, null, from, until, null, 1000,
						1, null, List.of("月饼礼盒"), List.of(), new TemplateManagement.Audience(false, List.of(), false)),
				new TemplateManagement.TemplateRequest("全场9折 封顶50元", "全场商品九折,最多优惠50元", CouponKind.PERCENT_OFF, null, null,
						10, 5000L, null, from, until, null, 500, 2_500_000L, 1, null, null, null, null, null, null),
				new TemplateManagement.TemplateRequest("无门槛10元", "领取后7天内有效,每天限领1张", CouponKind.NO_THRESHOLD, 1000L, null,
						null, null, null, from, until, 7, 2000, null, 3, 1, null, null, null,
						new TemplateManagement.Stacking(false, "店铺券", 1), null),
				request("新客专享 无门槛20元", CouponKind.NO_THRESHOLD, 2000L, null, null, null, null, from, until, null, 500, 1,
						null, List.of(), List.of(), new TemplateManagement.Audience(true, List.of(), false)),
				request("中秋礼盒专享 满300送香薰蜡烛", CouponKind.FREE_GIFT, null, 30000L, null, null, "CD-001-A", from, until, null,
						200, 1, null, List.of("月饼礼盒"), List.of(), null),
				request("金卡钻石会员 包邮券", CouponKind.SHIPPING, null, null, null, 2000L, null, from, until, null, 1000, 5,
						null, List.of(), List.of(), new TemplateManagement.Audience(false, List.of("GOLD", "DIAMOND"), false)),
				request("南京路店 满100减10", CouponKind.AMOUNT_OFF, 1000L, 10000L, null, null, null, from, until, null, 300, 2,
						null, List.of(), List.of(nanjingRoad), null));
		List<Template> made = requests.stream().map(r -> management.validate(r, "system:demo", now)).toList();
		made.forEach(templates::insert);
		int granted = 0;
		List<CustomerId> customers = demo.customers();
		for (int i = 0; i < Math.min(30, customers.size()); i++) {
			for (Template t : List.of(made.get(0), made.get(2))) {
				issuing.grant(t.id(), customers.get(i), "demo-" + t.id() + "-" + i, "system:demo", "demo", null);
				granted++;
			}
		}
		log.info("Demo coupons loaded: {} templates, {} coupons granted", made.size(), granted);
	}

	private static TemplateManagement.TemplateRequest request(String name, CouponKind kind, Long discount,
			Long threshold, Integer percent, Long cap, String gift, Instant from, Instant until, Integer days, int stock,
			int limit, Integer daily, List<String> categories, List<OrgNodeId> stores,
			TemplateManagement.Audience audience) {
		return new TemplateManagement.TemplateRequest(name, null, kind, discount, threshold, percent, cap, gift, from,
				until, days, stock, null, limit, daily, null, categories, stores, null, audience);
	}
}
