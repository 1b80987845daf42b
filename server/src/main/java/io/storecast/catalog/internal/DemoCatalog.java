package io.storecast.catalog.internal;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.storecast.catalog.AdjustmentReason;
import io.storecast.catalog.Customisation;
import io.storecast.catalog.CustomisationKind;
import io.storecast.catalog.SkuId;
import io.storecast.catalog.StockAdjustment;
import io.storecast.catalog.TagDimension;
import io.storecast.identity.DemoMerchantLoaded;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.OrgNodeId;
import io.storecast.platform.Ids;

/**
 * The demo merchant's catalog: a gift shop and jeweller, about 300 products across the occasions
 * and recipients people shop for (中秋 mooncakes for elders, 教师节 pens for teachers, 情人节
 * necklaces …), stock in every store recorded as opening receipts, and one limited-edition figure
 * whose stock at 上海南京路店 sits just above its threshold, so that a sale or two raises an alert.
 * Runs inside the transaction that loads the demo merchant, so the merchant is complete or absent;
 * the same on every machine (fixed seed); a few batch statements.
 */
@Component
class DemoCatalog {

	static final String LIMITED_FIGURE = "FIG-LTD-001";
	static final String LIMITED_FIGURE_SKU = "FIG-LTD-001-A";

	private static final Logger log = LoggerFactory.getLogger(DemoCatalog.class);

	/** A kind of product: how its names, tags, prices and SKUs are made. */
	record Kind(String prefix, String category, String noun, String[] adjectives, String[] occasions,
			String[] recipients, String[] styles, String[] materials, long minYuan, long maxYuan, String[] variants,
			List<Customisation> customisations, boolean seasonalMidAutumn, int count) {
	}

	private static final String[] NONE = {};
	private static final List<Kind> KINDS = List.of(
			new Kind("MC", "月饼礼盒", "月饼礼盒", new String[] { "流心奶黄", "蛋黄莲蓉", "五仁", "冰皮", "榴莲", "黑松露", "桂花", "伍仁火腿" },
					new String[] { "中秋" }, new String[] { "长辈", "老师", "朋友", "妈妈" }, new String[] { "国潮", "经典" },
					NONE, 98, 458, new String[] { "6枚装", "8枚装" }, List.of(custom(CustomisationKind.GREETING_CARD, 0, 1),
							custom(CustomisationKind.GIFT_WRAP, 1500, 0)), true, 30),
			new Kind("WN", "酒水礼盒", "桂花酒礼盒", new String[] { "金桂", "陈酿", "低度", "青梅" }, new String[] { "中秋", "春节" },
					new String[] { "长辈", "朋友" }, new String[] { "经典" }, NONE, 168, 588, new String[] { "双支装" },
					List.of(custom(CustomisationKind.GREETING_CARD, 0, 1)), true, 12),
			new Kind("TEA", "茶叶礼盒", "茶叶礼盒", new String[] { "明前龙井", "大红袍", "白毫银针", "普洱", "碧螺春", "正山小种" },
					new String[] { "春节", "教师节", "中秋" }, new String[] { "长辈", "老师" }, new String[] { "经典", "简约" },
					NONE, 188, 888, new String[] { "250g", "500g" }, List.of(custom(CustomisationKind.GIFT_WRAP, 0, 0)), false,
					24),
			new Kind("NK", "项链", "项链", new String[] { "星月", "四叶草", "珍珠", "锁骨", "爱心", "字母", "天鹅", "蝴蝶" },
					new String[] { "情人节", "生日", "母亲节" }, new String[] { "女朋友", "妈妈" },
					new String[] { "简约", "轻奢", "复古" }, new String[] { "银", "18K金", "玫瑰金" }, 199, 2999,
					new String[] { "银", "18K金" }, List.of(custom(CustomisationKind.ENGRAVING, 3000, 2),
							custom(CustomisationKind.GIFT_WRAP, 0, 0)), false, 36),
			new Kind("ER", "耳饰", "耳钉", new String[] { "珍珠", "小雏菊", "几何", "流苏", "星星", "月亮" },
					new String[] { "生日", "情人节" }, new String[] { "女朋友", "朋友" }, new String[] { "简约", "甜美" },
					new String[] { "银", "14K金" }, 129, 1299, new String[] { "一对" },
					List.of(custom(CustomisationKind.GIFT_WRAP, 0, 0)), false, 30),
			new Kind("BR", "手链", "手链", new String[] { "转运珠", "红绳", "编织", "串珠", "金豆" }, new String[] { "春节", "生日", "情人节" },
					new String[] { "女朋友", "男朋友", "孩子", "朋友" }, new String[] { "国潮", "简约" },
					new String[] { "银", "足金", "红绳" }, 99, 1999, new String[] { "16cm", "18cm" },
					List.of(custom(CustomisationKind.ENGRAVING, 2000, 2)), false, 24),
			new Kind("RG", "戒指", "戒指", new String[] { "素圈", "碎钻", "开口", "情侣" }, new String[] { "情人节", "生日" },
					new String[] { "女朋友", "男朋友" }, new String[] { "简约", "轻奢" }, new String[] { "银", "18K金", "铂金" },
					399, 5999, new String[] { "12号", "14号", "16号" }, List.of(custom(CustomisationKind.ENGRAVING, 5000, 3)),
					false, 20),
			new Kind("PEN", "文具", "钢笔礼盒", new String[] { "商务", "书法", "学生", "金尖" }, new String[] { "教师节", "生日" },
					new String[] { "老师", "长辈", "孩子" }, new String[] { "经典", "商务" }, new String[] { "金属" }, 128, 1280,
					new String[] { "黑色", "酒红" }, List.of(custom(CustomisationKind.ENGRAVING, 2000, 2),
							custom(CustomisationKind.GIFT_WRAP, 0, 0)), false, 18),
			new Kind("FL", "鲜花礼盒", "永生花礼盒", new String[] { "玫瑰", "康乃馨", "向日葵", "郁金香", "满天星" },
					new String[] { "母亲节", "情人节", "教师节", "生日" }, new String[] { "妈妈", "女朋友", "老师" },
					new String[] { "浪漫", "清新" }, NONE, 168, 699, new String[] { "小号", "大号" },
					List.of(custom(CustomisationKind.GREETING_CARD, 0, 0)), false, 24),
			new Kind("CH", "巧克力", "巧克力礼盒", new String[] { "黑巧", "榛子", "松露", "酒心" }, new String[] { "情人节", "生日" },
					new String[] { "女朋友", "男朋友", "朋友" }, new String[] { "浪漫" }, NONE, 88, 399, new String[] { "12颗", "24颗" },
					List.of(custom(CustomisationKind.GREETING_CARD, 0, 0)), false, 16),
			new Kind("SC", "服饰配件", "羊绒围巾", new String[] { "格纹", "纯色", "提花", "双面" }, new String[] { "春节", "母亲节", "生日" },
					new String[] { "妈妈", "长辈", "女朋友" }, new String[] { "经典", "简约" }, new String[] { "羊绒" }, 299, 1299,
					new String[] { "驼色", "酒红", "灰色" }, List.of(custom(CustomisationKind.GIFT_WRAP, 0, 0)), false, 16),
			new Kind("CD", "家居香氛", "香薰蜡烛", new String[] { "白茶", "无花果", "雪松", "玫瑰", "柑橘" },
					new String[] { "生日", "情人节" }, new String[] { "朋友", "女朋友" }, new String[] { "简约", "清新" },
					new String[] { "大豆蜡" }, 89, 399, new String[] { "200g" }, List.of(custom(CustomisationKind.GIFT_WRAP, 0, 0)),
					false, 16),
			new Kind("PF", "相框", "实木相框", new String[] { "全家福", "毕业", "宝宝", "情侣" }, new String[] { "生日", "教师节", "母亲节" },
					new String[] { "孩子", "老师", "妈妈" }, new String[] { "简约" }, new String[] { "实木" }, 59, 299,
					new String[] { "6寸", "10寸" }, List.of(custom(CustomisationKind.ENGRAVING, 1500, 2)), false, 12),
			new Kind("FIG", "潮玩手办", "手办", new String[] { "航天员", "小熊", "锦鲤", "生肖" }, new String[] { "生日", "春节" },
					new String[] { "孩子", "男朋友", "朋友" }, new String[] { "潮玩" }, new String[] { "树脂" }, 69, 599,
					new String[] { "标准版" }, List.of(custom(CustomisationKind.GIFT_WRAP, 0, 0)), false, 16));

	private final Products products;
	private final Stock stock;
	private final OrgDirectory org;
	private final Clock clock;

	DemoCatalog(Products products, Stock stock, OrgDirectory org, Clock clock) {
		this.products = products;
		this.stock = stock;
		this.org = org;
		this.clock = clock;
	}

	/** Runs before the listeners that build on the catalog (demo orders), which come last. */
	@EventListener
	@org.springframework.core.annotation.Order(100)
	void on(DemoMerchantLoaded demo) {
		if (products.count() > 0) {
			log.info("The catalog already has products: no demo catalog");
			return;
		}
		Instant now = clock.instant();
		ZoneId zone = org.headOffice().timeZone();
		Random random = new Random(20260915L);
		List<ProductDraft> drafts = drafts(random, now.atZone(zone).getYear(), zone);
		Map<String, Products.Upserted> written = products.upsertProducts(drafts, Products.allFields(), now);
		List<Products.SkuWrite> skus = new ArrayList<>();
		for (ProductDraft d : drafts) {
			d.skus().forEach(s -> skus.add(new Products.SkuWrite(written.get(d.externalId()).id(), s)));
		}
		products.upsertSkus(skus, Products.allFields(), null, now);
		Map<String, SkuId> ids = products.skuIds(skus.stream().map(s -> s.draft().externalId()).toList());

		List<Stock.ImportWrite> levels = new ArrayList<>();
		List<StockAdjustment> receipts = new ArrayList<>();
		for (Products.SkuWrite s : skus) {
			for (int i = 0; i < demo.stores().size(); i++) {
				OrgNodeId store = demo.stores().get(i);
				String external = s.draft().externalId();
				long onHand = external.equals(LIMITED_FIGURE_SKU) ? (i == 0 ? 6 : 20 + 5 * i) : 8 + random.nextInt(53);
				SkuId sku = ids.get(external);
				levels.add(new Stock.ImportWrite(new Stock.Key(sku, store), onHand, null, false, 0));
				receipts.add(new StockAdjustment(Ids.newId(), sku, external, store, onHand, onHand,
						AdjustmentReason.RECEIPT, "开业备货 (demo)", "system", "demo", null, null, now));
			}
		}
		stock.insertLevels(levels, now);
		stock.insertAll(receipts);
		log.info("Demo catalog loaded: {} products, {} SKUs, stock in {} stores", drafts.size(), skus.size(),
				demo.stores().size());
	}

	static List<ProductDraft> drafts(Random random, int year, ZoneId zone) {
		List<ProductDraft> drafts = new ArrayList<>();
		Instant midAutumnFrom = LocalDate.of(year, 8, 1).atStartOfDay(zone).toInstant();
		Instant midAutumnTo = LocalDate.of(year, 10, 15).atStartOfDay(zone).toInstant();
		for (Kind kind : KINDS) {
			for (int n = 1; n <= kind.count(); n++) {
				String adjective = kind.adjectives()[(n - 1) % kind.adjectives().length];
				String edition = n > kind.adjectives().length ? " " + (char) ('A' + (n - 1) / kind.adjectives().length - 1) + "款"
						: "";
				String externalId = String.format("%s-%03d", kind.prefix(), n);
				String name = adjective + kind.noun() + edition;
				Map<TagDimension, List<String>> tags = new EnumMap<>(TagDimension.class);
				tags.put(TagDimension.OCCASION, pick(random, kind.occasions(), 2));
				tags.put(TagDimension.RECIPIENT, pick(random, kind.recipients(), 2));
				if (kind.styles().length > 0) {
					tags.put(TagDimension.STYLE, pick(random, kind.styles(), 1));
				}
				if (kind.materials().length > 0) {
					tags.put(TagDimension.MATERIAL, pick(random, kind.materials(), 1));
				}
				long basePrice = (kind.minYuan() + random.nextInt((int) (kind.maxYuan() - kind.minYuan() + 1))) * 100;
				List<ProductDraft.SkuDraft> skus = new ArrayList<>();
				for (int v = 0; v < kind.variants().length; v++) {
					skus.add(new ProductDraft.SkuDraft(externalId + "-" + (char) ('A' + v),
							kind.variants().length == 1 ? null : kind.variants()[v], basePrice + v * 2000L, 5, true, 0));
				}
				drafts.add(new ProductDraft(externalId, name,
						"礼遇精选" + kind.category() + ":" + name + "," + String.join("、", tags.get(TagDimension.OCCASION))
								+ "送" + String.join("、", tags.get(TagDimension.RECIPIENT)) + "的心意之选。",
						kind.category(), List.of("https://img.example.com/demo/" + externalId.toLowerCase() + ".jpg"), tags,
						kind.seasonalMidAutumn() ? midAutumnFrom : null, kind.seasonalMidAutumn() ? midAutumnTo : null, true,
						kind.customisations(), skus));
			}
		}
		Map<TagDimension, List<String>> figureTags = new EnumMap<>(TagDimension.class);
		figureTags.put(TagDimension.OCCASION, List.of("生日", "春节"));
		figureTags.put(TagDimension.RECIPIENT, List.of("孩子", "男朋友"));
		figureTags.put(TagDimension.STYLE, List.of("潮玩", "限定"));
		figureTags.put(TagDimension.MATERIAL, List.of("树脂"));
		drafts.add(new ProductDraft(LIMITED_FIGURE, "星空宇航员限定款手办", "限量发售的星空宇航员手办,每店少量配货,售完即止。", "潮玩手办",
				List.of("https://img.example.com/demo/fig-ltd-001.jpg"), figureTags,
				LocalDate.of(year, 1, 1).atStartOfDay(zone).toInstant(),
				LocalDate.of(year + 1, 12, 31).atStartOfDay(zone).toInstant(), true,
				List.of(custom(CustomisationKind.GIFT_WRAP, 0, 0)),
				List.of(new ProductDraft.SkuDraft(LIMITED_FIGURE_SKU, null, 39900, 5, true, 0))));
		return drafts;
	}

	private static List<String> pick(Random random, String[] values, int max) {
		List<String> pool = new ArrayList<>(List.of(values));
		java.util.Collections.shuffle(pool, random);
		return List.copyOf(pool.subList(0, Math.min(pool.size(), 1 + random.nextInt(max))));
	}

	private static Customisation custom(CustomisationKind kind, long priceFen, int days) {
		return new Customisation(kind, priceFen, days);
	}
}
