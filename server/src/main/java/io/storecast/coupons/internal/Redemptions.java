package io.storecast.coupons.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.coupons.CouponTemplateId;
import io.storecast.identity.CustomerId;
import io.storecast.identity.OrgNodeId;

/**
 * Redemptions ({@code coupons_redemptions}): a coupon against an order, ACTIVE until the order is
 * cancelled or refunded (ROLLED_BACK). A unique index allows one ACTIVE redemption per coupon.
 */
@Repository
class Redemptions {

	record Row(UUID id, UUID couponId, CouponTemplateId templateId, CustomerId customerId, String orderExternalId,
			@Nullable OrgNodeId storeId, long discountFen, boolean active, String redeemedBy, Instant redeemedAt,
			@Nullable Instant rolledBackAt, @Nullable String rollbackReason) {
	}

	private final JdbcClient jdbc;

	Redemptions(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	void insert(Row r) {
		jdbc.sql("""
				INSERT INTO coupons_redemptions (id, coupon_id, template_id, customer_id, order_external_id, store_id,
				  discount_fen, status, redeemed_by, redeemed_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, 'ACTIVE', ?, ?)""")
			.params(r.id(), r.couponId(), r.templateId().value(), r.customerId().value(), r.orderExternalId(),
					r.storeId() == null ? null : r.storeId().value(), r.discountFen(), r.redeemedBy(),
					Timestamp.from(r.redeemedAt()))
			.update();
	}

	/** The active redemption of each of these coupons. */
	List<Row> activeOfCoupons(List<UUID> couponIds) {
		return jdbc.sql("SELECT * FROM coupons_redemptions WHERE coupon_id = ANY(CAST(? AS uuid[])) AND status = 'ACTIVE'")
			.param(couponIds.toArray(UUID[]::new))
			.query(Redemptions::map)
			.list();
	}

	List<Row> activeOfOrder(String orderExternalId) {
		return jdbc.sql("""
				SELECT * FROM coupons_redemptions WHERE order_external_id = ? AND status = 'ACTIVE' ORDER BY coupon_id""")
			.param(orderExternalId)
			.query(Redemptions::map)
			.list();
	}

	/** Every redemption of the coupon, newest first. */
	List<Row> ofCoupon(UUID couponId) {
		return jdbc.sql("SELECT * FROM coupons_redemptions WHERE coupon_id = ? ORDER BY redeemed_at DESC")
			.param(couponId)
			.query(Redemptions::map)
			.list();
	}

	/** Marks an active redemption rolled back; false when it is no longer active. */
	boolean rollBack(UUID id, String reason, Instant now) {
		return jdbc.sql("""
				UPDATE coupons_redemptions SET status = 'ROLLED_BACK', rolled_back_at = ?, rollback_reason = ?
				 WHERE id = ? AND status = 'ACTIVE'""")
			.params(Timestamp.from(now), reason, id)
			.update() == 1;
	}

	/** When the customer last redeemed a coupon (active redemptions only), if ever. */
	Optional<Instant> lastRedemption(CustomerId customer) {
		return jdbc.sql("""
				SELECT redeemed_at FROM coupons_redemptions WHERE customer_id = ? AND status = 'ACTIVE'
				 ORDER BY redeemed_at DESC LIMIT 1""")
			.param(customer.value())
			.query((rs, n) -> Templates.instant(rs, "redeemed_at"))
			.optional();
	}

	private static Row map(ResultSet rs, int row) throws SQLException {
		UUID store = rs.getObject("store_id", UUID.class);
		return new Row(rs.getObject("id", UUID.class), rs.getObject("coupon_id", UUID.class),
				new CouponTemplateId(rs.getObject("template_id", UUID.class)),
				new CustomerId(rs.getObject("customer_id", UUID.class)), rs.getString("order_external_id"),
				store == null ? null : new OrgNodeId(store), rs.getLong("discount_fen"),
				"ACTIVE".equals(rs.getString("status")), rs.getString("redeemed_by"),
				Templates.instant(rs, "redeemed_at"), Templates.nullableInstant(rs, "rolled_back_at"),
				rs.getString("rollback_reason"));
	}
}
