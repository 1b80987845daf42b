package io.storecast.coupons.internal;

import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import io.storecast.coupons.CouponKind;
import io.storecast.coupons.CouponTemplateId;
import io.storecast.identity.OrgNodeId;

/**
 * A coupon template as stored.
 *
 * @param faceValueFen the most one coupon takes off an order; null for a percentage without a cap
 * @param stock coupons that may ever be issued (what the budget pays for, when that is fewer)
 */
record Template(CouponTemplateId id, String name, @Nullable String description, CouponKind kind,
		@Nullable Long discountFen, long thresholdFen, @Nullable Integer percentOff, @Nullable Long capFen,
		@Nullable String giftSku, @Nullable Long faceValueFen, Instant validFrom, Instant validUntil,
		@Nullable Integer validDays, int stock, @Nullable Long budgetFen, int slots, int perCustomerLimit,
		@Nullable Integer perCustomerDailyLimit, List<String> products, List<String> categories,
		List<OrgNodeId> stores, boolean exclusive, @Nullable String stackGroup, int maxPerOrder,
		boolean newCustomersOnly, Set<String> memberLevels, boolean winBack, Status status, String createdBy,
		Instant createdAt, Instant updatedAt) {

	enum Status {
		ACTIVE, PAUSED
	}

	/** Whether claims may be made at {@code at}: active and within the window. */
	boolean claimableAt(Instant at) {
		return status == Status.ACTIVE && !at.isBefore(validFrom) && at.isBefore(validUntil);
	}

	/** The validity of a coupon issued at {@code at}: the window, or {@code validDays} from the issue. */
	Instant[] validityFor(Instant at) {
		if (validDays == null) {
			return new Instant[] { validFrom, validUntil };
		}
		return new Instant[] { at, at.plus(java.time.Duration.ofDays(validDays)) };
	}

	boolean hasAudience() {
		return newCustomersOnly || winBack || !memberLevels.isEmpty();
	}

	/** The stack group a combinable coupon counts in (its kind's name when none is set). */
	String group() {
		return stackGroup != null ? stackGroup : kind.name();
	}
}
