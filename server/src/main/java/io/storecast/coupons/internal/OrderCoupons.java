package io.storecast.coupons.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.storecast.coupons.Cart;
import io.storecast.coupons.Coupons;
import io.storecast.coupons.RedeemRequest;
import io.storecast.orders.OrderCancelled;
import io.storecast.orders.OrderPaid;
import io.storecast.orders.OrderRefunded;
import io.storecast.orders.OrderStatus;
import io.storecast.platform.ApiException;

/**
 * Orders drive coupons: a paid order redeems the codes it carries, a cancelled or fully refunded one
 * gives them back. The listeners run right after the order's commit, on the thread that recorded it,
 * each in its own transaction, so a payment and a cancellation sent one after the other are applied in
 * that order (asynchronous listeners could roll back before they redeem). The event registry keeps
 * each publication until its listener succeeds, so a crash in between redeems on restart; and they
 * are idempotent: a re-delivered event gets the earlier redemption or rollback back.
 *
 * <p>A paid order whose codes are refused (already used, expired, not applicable: the shop's checkout
 * should have validated them with {@code POST /api/v1/coupons/validations}) is logged and counted in
 * {@code storecast.coupons.order.redemptions.refused}; retrying would not change the answer.
 */
@Component
class OrderCoupons {

	private static final Logger log = LoggerFactory.getLogger(OrderCoupons.class);

	private final Coupons coupons;
	private final Counter refused;

	OrderCoupons(Coupons coupons, MeterRegistry meters) {
		this.coupons = coupons;
		this.refused = Counter.builder("storecast.coupons.order.redemptions.refused")
			.description("paid orders whose coupon codes could not be redeemed")
			.register(meters);
	}

	@TransactionalEventListener
	@Transactional(propagation = Propagation.REQUIRES_NEW)
	void on(OrderPaid paid) {
		if (paid.couponCodes().isEmpty()) {
			return;
		}
		if (paid.status() == OrderStatus.CANCELLED || paid.status() == OrderStatus.REFUNDED) {
			// a payment reported after the order was closed is no sale: nothing to redeem
			return;
		}
		long shippingFen = paid.totalFen() - paid.subtotalFen() + paid.discountFen();
		Cart cart = new Cart(paid.lines().stream()
			.map(l -> new Cart.Line(l.sku(), (long) l.quantity(), l.unitPriceFen()))
			.toList(), Math.max(0, shippingFen));
		try {
			coupons.redeem(new RedeemRequest(paid.externalId(), paid.customerId(), paid.storeId(), paid.couponCodes(), cart),
					"orders");
		}
		catch (ApiException e) {
			refused.increment();
			log.warn("Order {} was paid with coupon codes {} that could not be redeemed: {} ({})", paid.externalId(),
					paid.couponCodes(), e.getMessage(), e.code());
		}
	}

	@TransactionalEventListener
	@Transactional(propagation = Propagation.REQUIRES_NEW)
	void on(OrderCancelled cancelled) {
		if (!cancelled.couponCodes().isEmpty()) {
			coupons.rollback(cancelled.externalId(), "order cancelled");
		}
	}

	@TransactionalEventListener
	@Transactional(propagation = Propagation.REQUIRES_NEW)
	void on(OrderRefunded refunded) {
		if (refunded.couponCodes().isEmpty()) {
			return;
		}
		if (refunded.refundFen() < refunded.totalFen()) {
			// a partial refund keeps the coupons used: the order still stands
			log.info("Order {} was refunded in part ({} of {} fen): its coupons stay redeemed", refunded.externalId(),
					refunded.refundFen(), refunded.totalFen());
			return;
		}
		coupons.rollback(refunded.externalId(), "order refunded");
	}
}
