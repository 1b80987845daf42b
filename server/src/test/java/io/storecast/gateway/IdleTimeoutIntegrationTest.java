package io.storecast.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

import io.storecast.support.DemoFixture;
import io.storecast.support.RawWebSocket;
import io.storecast.support.StorecastIntegrationTest;

/** A silent connection is closed after the idle timeout; WebSocket pings and JSON pings both keep one open. */
@StorecastIntegrationTest
@TestPropertySource(properties = "storecast.gateway.idle-timeout=2s")
// a context of its own that no other class shares: closed after the class rather than left running
// (its pollers, gateway and embedded PostgreSQL) beside the shared one until the JVM exits
@DirtiesContext
class IdleTimeoutIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	Gateway gateway;

	@Test
	void silence_closes_and_pings_of_either_kind_keep_alive() throws Exception {
		String token = new DemoFixture(port).customer("SH-NJR").token();
		try (RawWebSocket silent = new RawWebSocket(gateway.port(), gateway.path(), token);
				RawWebSocket wsPings = new RawWebSocket(gateway.port(), gateway.path(), token);
				RawWebSocket jsonPings = new RawWebSocket(gateway.port(), gateway.path(), token)) {
			silent.readUntil("hello");
			wsPings.readUntil("hello");
			jsonPings.readUntil("hello");
			long end = System.nanoTime() + Duration.ofMillis(3500).toNanos();
			int i = 0;
			while (System.nanoTime() < end) {
				wsPings.send(9, new byte[] { 'p' });
				assertThat(wsPings.read().opcode()).as("pong frame").isEqualTo(10);
				jsonPings.sendText("{\"type\":\"ping\",\"id\":\"p" + i++ + "\"}");
				assertThat(jsonPings.readUntil("pong").opcode()).isEqualTo(1);
				org.awaitility.Awaitility.await().pollDelay(Duration.ofMillis(500)).until(() -> true);
			}
			RawWebSocket.Frame closed = silent.readUntil("never");
			assertThat(closed.opcode()).isEqualTo(8);
			assertThat(closed.closeCode()).isEqualTo(1001);
			// both pinging connections are still there
			wsPings.send(9, new byte[] { 'q' });
			assertThat(wsPings.read().opcode()).isEqualTo(10);
			jsonPings.sendText("{\"type\":\"ping\",\"id\":\"last\"}");
			assertThat(jsonPings.readUntil("pong").text()).contains("\"last\"");
		}
	}
}
