package io.storecast.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.RawWebSocket;
import io.storecast.support.StorecastIntegrationTest;

/** A client that stops reading is cut off once its unread data passes the bound; the server never buffers without limit. */
@StorecastIntegrationTest
// a short close grace: the sender below stops once the connection is gone, so a long grace would only
// measure how many messages the sender gets through in it
@TestPropertySource(properties = { "storecast.gateway.outbound-high-water-mark=64KB", "storecast.gateway.close-grace=200ms" })
// a context of its own that no other class shares: closed after the class rather than left running
// (its pollers, gateway and embedded PostgreSQL) beside the shared one until the JVM exits
@DirtiesContext
class SlowConsumerIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	Gateway gateway;

	@Test
	void a_client_that_reads_nothing_is_closed_with_4001_and_nothing_is_lost_for_it() throws Exception {
		DemoFixture demo = new DemoFixture(port);
		Api customer = demo.customer("GZ-TH");
		Api clerk = demo.staff("gz-th.clerk2");
		String conversation = customer.post("/api/v1/conversations/direct", Map.of("storeId", demo.node("GZ-TH")))
			.expect(200).string("id");
		String big = "月".repeat(4000);
		try (RawWebSocket stalled = new RawWebSocket(gateway.port(), gateway.path(), customer.token(), 4096)) {
			stalled.readUntil("hello");
			int sent = 0;
			// ~12 KB each: the kernel's buffers fill first (on loopback they take about 1,000 of these: the send
			// buffer grows to 4 MB and more), then the server's outbound buffer passes 64 KB;
			// the connection goes from the registry once its close grace (200 ms here) is over
			while (sent < 4000 && gateway.connections() > 0) {
				clerk.header("Idempotency-Key", "big-" + sent).post("/api/v1/conversations/" + conversation + "/messages",
						Map.of("kind", "TEXT", "body", Map.of("text", big))).expect(201);
				sent++;
			}
			System.out.println("slow consumer cut off; messages sent until it was gone: " + sent);
			// the close frame (4001) sits behind the unread data; a client that never reads gets the
			// connection cut after the grace period instead
			RawWebSocket.Frame close = null;
			try {
				do {
					close = stalled.read();
				}
				while (close.opcode() != 8);
			}
			catch (java.io.IOException cut) {
				close = null;
			}
			if (close != null) {
				assertThat(close.closeCode()).isEqualTo(4001);
			}
			assertThat(gateway.connections()).isZero();
			assertThat(sent).as("cut off by the bound, long before the sender stopped").isLessThan(4000);
			// what it missed is all there for the sync after its reconnect
			assertThat(customer.post("/api/v1/sync", Map.of("cursors", Map.of(conversation, 0))).expect(200).json()
				.path("messages").size()).isEqualTo(Math.min(sent, 100));
		}
	}
}
