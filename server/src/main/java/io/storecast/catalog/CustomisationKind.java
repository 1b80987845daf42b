package io.storecast.catalog;

/** What a product can be personalised with; each adds lead time to its delivery. */
public enum CustomisationKind {
	/** 刻字: engraving a name or a date. */
	ENGRAVING,
	/** 礼品包装. */
	GIFT_WRAP,
	/** 贺卡: a handwritten greeting card. */
	GREETING_CARD
}
