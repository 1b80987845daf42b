package io.storecast.orders.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import io.storecast.platform.ApiException;
import io.storecast.platform.WebhookSignature;

class WebhookSignatureUnitTest {

	static final String SECRET = "whsec-test-0123456789abcdef";
	static final Instant NOW = Instant.parse("2026-05-01T10:00:00Z");
	static final byte[] BODY = """
			{"eventId":"evt-1","type":"order.status","data":{"externalId":"SO-1","status":"PAID"}}"""
		.getBytes(StandardCharsets.UTF_8);

	@Test
	void a_signature_over_timestamp_and_body_verifies() {
		long ts = NOW.getEpochSecond();
		String signature = WebhookSignature.sign(SECRET, ts, BODY);
		assertThat(signature).startsWith("sha256=").hasSize(7 + 64);
		WebhookSignature.verify(SECRET, Long.toString(ts), signature, BODY, NOW, Duration.ofMinutes(5));
		// upper-case hex and surrounding spaces are accepted
		WebhookSignature.verify(SECRET, " " + ts + " ", "sha256=" + signature.substring(7).toUpperCase(), BODY, NOW,
				Duration.ofMinutes(5));
	}

	@Test
	void everything_else_is_refused_with_its_own_code() {
		long ts = NOW.getEpochSecond();
		String good = WebhookSignature.sign(SECRET, ts, BODY);
		refused(null, good, BODY, "webhook-signature-missing");
		refused(Long.toString(ts), null, BODY, "webhook-signature-missing");
		refused("yesterday", good, BODY, "webhook-timestamp-invalid");
		refused(Long.toString(ts - 301), WebhookSignature.sign(SECRET, ts - 301, BODY), BODY, "webhook-timestamp-expired");
		refused(Long.toString(ts + 301), WebhookSignature.sign(SECRET, ts + 301, BODY), BODY, "webhook-timestamp-expired");
		// the timestamp is signed: changing it breaks the signature
		refused(Long.toString(ts - 1), good, BODY, "webhook-signature-invalid");
		refused(Long.toString(ts), good, (new String(BODY, StandardCharsets.UTF_8) + " ").getBytes(StandardCharsets.UTF_8),
				"webhook-signature-invalid");
		refused(Long.toString(ts), WebhookSignature.sign("another-secret-0123456789", ts, BODY), BODY,
				"webhook-signature-invalid");
		refused(Long.toString(ts), good.substring(7), BODY, "webhook-signature-invalid");
		refused(Long.toString(ts), "sha256=not-hex", BODY, "webhook-signature-invalid");
		refused(Long.toString(ts), "sha1=" + good.substring(7), BODY, "webhook-signature-invalid");
		// 299 s late is still in time
		WebhookSignature.verify(SECRET, Long.toString(ts - 299), WebhookSignature.sign(SECRET, ts - 299, BODY), BODY, NOW,
				Duration.ofMinutes(5));
	}

	@Test
	void the_shell_recipe_in_the_docs_computes_the_same_signature() throws Exception {
		long ts = NOW.getEpochSecond();
		String recipe = "printf '%s.%s' \"$TS\" \"$BODY\" | openssl dgst -sha256 -hmac \"$SECRET\" | sed 's/^.*= //'";
		Process process;
		try {
			ProcessBuilder builder = new ProcessBuilder("sh", "-c", recipe);
			builder.environment().put("TS", Long.toString(ts));
			builder.environment().put("BODY", new String(BODY, StandardCharsets.UTF_8));
			builder.environment().put("SECRET", SECRET);
			process = builder.redirectErrorStream(true).start();
		}
		catch (IOException e) {
			Assumptions.abort("no shell here: " + e.getMessage());
			return;
		}
		String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
		Assumptions.assumeTrue(process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0,
				"openssl is not installed: " + out);
		assertThat("sha256=" + out).isEqualTo(WebhookSignature.sign(SECRET, ts, BODY));
	}

	@Test
	void without_a_secret_the_webhook_refuses_everything() {
		OrderWebhook webhook = new OrderWebhook(null, null, null, new OrdersSettings(null, Duration.ofMinutes(5),
				Duration.ofHours(24)), null, null, Clock.fixed(NOW, ZoneOffset.UTC));
		long ts = NOW.getEpochSecond();
		assertThatThrownBy(() -> webhook.receive(Long.toString(ts), WebhookSignature.sign(SECRET, ts, BODY), null, BODY))
			.isInstanceOfSatisfying(ApiException.class, e -> {
				assertThat(e.code()).isEqualTo("webhook-not-configured");
				assertThat(e.status().value()).isEqualTo(503);
			});
		assertThat(new OrdersSettings("  ", Duration.ofMinutes(5), Duration.ofHours(24)).webhookSecret()).isNull();
		assertThatThrownBy(() -> new OrdersSettings("short", Duration.ofMinutes(5), Duration.ofHours(24)))
			.isInstanceOf(IllegalArgumentException.class);
	}

	private static void refused(String timestamp, String signature, byte[] body, String code) {
		assertThatThrownBy(() -> WebhookSignature.verify(SECRET, timestamp, signature, body, NOW, Duration.ofMinutes(5)))
			.isInstanceOfSatisfying(ApiException.class, e -> {
				assertThat(e.code()).isEqualTo(code);
				assertThat(e.status().value()).isEqualTo(401);
			});
	}
}
