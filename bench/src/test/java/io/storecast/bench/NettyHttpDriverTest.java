package io.storecast.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The claim driver against the bare server (which answers every claim 201): each request answered once. */
class NettyHttpDriverTest {

	BareWsServer bare;
	URI base;

	@BeforeEach
	void start() throws Exception {
		bare = new BareWsServer();
		base = URI.create("http://127.0.0.1:" + bare.start(0) + "/");
	}

	@AfterEach
	void stop() {
		bare.stop();
	}

	@Test
	void the_closed_loop_answers_every_planned_request_once() throws Exception {
		int n = 2_000;
		AtomicIntegerArray answered = new AtomicIntegerArray(n);
		try (NettyHttpDriver driver = new NettyHttpDriver(base, 1)) {
			assertThat(driver.run(n, i -> request(i), 16, (index, status, body, nanos) -> {
				assertThat(status).isEqualTo(201);
				answered.incrementAndGet(index);
			}, Duration.ofSeconds(60))).isTrue();
		}
		for (int i = 0; i < n; i++) {
			assertThat(answered.get(i)).as("request %d", i).isEqualTo(1);
		}
	}

	@Test
	void the_open_loop_sends_at_the_rate_and_times_from_when_each_was_due() throws Exception {
		int n = 1_000;
		double rate = 2_000;
		AtomicIntegerArray answered = new AtomicIntegerArray(n);
		AtomicLongArray latency = new AtomicLongArray(n);
		long started = System.nanoTime();
		try (NettyHttpDriver driver = new NettyHttpDriver(base, 1)) {
			// two connections opened before the start, up to two more when both are busy
			assertThat(driver.paced(n, i -> request(i), rate, 4, 2, (index, status, body, nanos) -> {
				answered.incrementAndGet(index);
				latency.set(index, nanos);
			}).go(Duration.ofSeconds(60))).isTrue();
		}
		double seconds = (System.nanoTime() - started) / 1e9;
		for (int i = 0; i < n; i++) {
			assertThat(answered.get(i)).as("request %d", i).isEqualTo(1);
			assertThat(latency.get(i)).isPositive();
		}
		// 1,000 requests at 2,000/s take half a second at least, whatever the server's speed
		assertThat(seconds).isGreaterThanOrEqualTo(0.49);
	}

	private static NettyHttpDriver.Request request(int i) {
		return new NettyHttpDriver.Request("/api/v1/coupons/templates/x/claims", "token-" + i, "key-" + i,
				"{}".getBytes(StandardCharsets.UTF_8));
	}
}
