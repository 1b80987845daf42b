package io.storecast.coupons;

import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Identifies a coupon template (a coupon card names it as {@code templateId}). */
public record CouponTemplateId(@JsonValue UUID value) {

	@JsonCreator
	public static CouponTemplateId of(UUID value) {
		return new CouponTemplateId(value);
	}

	public static CouponTemplateId valueOf(String text) {
		return new CouponTemplateId(UUID.fromString(text));
	}

	@Override
	public String toString() {
		return value.toString();
	}
}
