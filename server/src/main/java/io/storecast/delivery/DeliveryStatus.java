package io.storecast.delivery;

/**
 * Where a delivery (one message to one customer) stands. QUEUED until a channel took it; SENT when a
 * channel accepted it (an SMSC's submit_sm_resp, a webhook's 2xx, an in-app message stored);
 * DELIVERED when the channel confirmed it reached the customer (an SMS delivery receipt; in-app
 * messages are delivered when stored); READ when the customer read it (in-app only); FAILED when
 * every channel of its route failed or was not allowed; CANCELLED when withdrawn before it went out.
 */
public enum DeliveryStatus {
	QUEUED, SENT, DELIVERED, READ, FAILED, CANCELLED;

	/** Whether nothing more will happen to the delivery (READ can still follow DELIVERED). */
	public boolean isFinal() {
		return this == READ || this == FAILED || this == CANCELLED;
	}
}
