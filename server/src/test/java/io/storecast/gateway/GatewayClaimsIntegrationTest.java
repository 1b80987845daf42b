package io.storecast.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import io.micrometer.core.instrument.MeterRegistry;
import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /api/v1/coupons/templates/{id}/claims} on the gateway's port: the REST API's claim,
 * same answers and problems, served by Netty with batched issuing; every bad request is refused
 * with a problem and issues nothing.
 */
@StorecastIntegrationTest
class GatewayClaimsIntegrationTest {

	@LocalServerPort
	int port;

	@Autowired
	Gateway gateway;

	@Autowired
	JdbcClient jdbc;

	@Autowired
	MeterRegistry meters;

	DemoFixture demo;
	Api viaGateway;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
		viaGateway = Api.at(gateway.port());
	}

	@Test
	void a_claim_on_the_gateway_port_answers_as_the_rest_api_and_a_retry_replays_it() {
		String template = template("网关领券", 10, 1);
		String token = customerToken("gw-a");
		Api customer = viaGateway.as(token);
		double[] before = { answered("issued"), answered("replayed"), answered("refused") };

		Api.Response first = customer.header("Idempotency-Key", "gw-1")
			.post(claims(template), Map.of("source", "live", "sourceRef", "room-1"));
		first.expect(201);
		assertThat(first.header("Idempotent-Replayed")).isEqualTo("false");
		assertThat(first.header("Content-Type")).startsWith("application/json");
		String code = first.string("code");
		// the same coupon the REST API shows, field for field
		JsonNode viaRest = Api.at(port).as(token).get("/api/v1/coupons/" + code).expect(200).json().path("coupon");
		assertThat(first.json()).isEqualTo(viaRest);
		assertThat(viaRest.path("source").asString()).isEqualTo("live");
		assertThat(viaRest.path("sourceRef").asString()).isEqualTo("room-1");

		Api.Response retry = customer.header("Idempotency-Key", "gw-1").post(claims(template), Map.of("source", "live"));
		retry.expect(200);
		assertThat(retry.header("Idempotent-Replayed")).isEqualTo("true");
		assertThat(retry.string("code")).isEqualTo(code);

		customer.header("Idempotency-Key", "gw-2").post(claims(template), Map.of()).expectProblem(409, "limit-reached");
		// no body at all is a claim without a source
		String other = customerToken("gw-b");
		Api.Response bare = viaGateway.as(other).header("Idempotency-Key", "gw-3").send("POST", claims(template), null);
		bare.expect(201);
		assertThat(issued(template)).isEqualTo(2);
		// what operators see: storecast.gateway.claims{outcome}
		assertThat(answered("issued") - before[0]).isEqualTo(2);
		assertThat(answered("replayed") - before[1]).isEqualTo(1);
		assertThat(answered("refused") - before[2]).isEqualTo(1);
	}

	@Test
	void bad_claims_get_the_rest_apis_problems_and_issue_nothing() {
		String template = template("网关坏请求", 1, 1);
		String token = customerToken("gw-bad");
		Api customer = viaGateway.as(token);

		viaGateway.header("Idempotency-Key", "k1").post(claims(template), Map.of()).expectProblem(401, "unauthenticated");
		viaGateway.as("eyJhbGciOiJIUzI1NiJ9.e30.x").header("Idempotency-Key", "k1").post(claims(template), Map.of())
			.expectProblem(401, "invalid-token");
		viaGateway.as(demo.owner.token()).header("Idempotency-Key", "k1").post(claims(template), Map.of())
			.expectProblem(403, "forbidden");
		customer.post(claims(template), Map.of()).expectProblem(400, "missing-idempotency-key");
		customer.header("Idempotency-Key", "not a key!").post(claims(template), Map.of())
			.expectProblem(400, "invalid-idempotency-key");
		customer.header("Idempotency-Key", "k1").post("/api/v1/coupons/templates/not-a-uuid/claims", Map.of())
			.expectProblem(400, "invalid-value");
		customer.header("Idempotency-Key", "k1").post(claims(UUID.randomUUID().toString()), Map.of())
			.expectProblem(404, "not-found");
		customer.header("Idempotency-Key", "k1")
			.raw("POST", claims(template), "application/json", "{\"source\":".getBytes(StandardCharsets.UTF_8))
			.expectProblem(400, "malformed-body");
		customer.header("Idempotency-Key", "k1")
			.raw("POST", claims(template), "application/json", "[1,2]".getBytes(StandardCharsets.UTF_8))
			.expectProblem(400, "malformed-body");
		assertThat(customer.header("Idempotency-Key", "k1").post(claims(template), Map.of("sauce", "live"))
			.expectProblem(400, "unknown-field").errorFields()).containsExactly("sauce");
		assertThat(customer.header("Idempotency-Key", "k1").post(claims(template), Map.of("sourceRef", 7))
			.expectProblem(400, "invalid-value").errorFields()).containsExactly("sourceRef");
		customer.header("Idempotency-Key", "k1").post(claims(template), Map.of("sourceRef", "r".repeat(129)))
			.expectProblem(400, "validation-failed");
		customer.header("Idempotency-Key", "k1").post(claims(template), Map.of("source", "from the moon"))
			.expectProblem(400, "validation-failed");
		customer.header("Idempotency-Key", "k1")
			.raw("POST", claims(template), "application/json", new byte[9_000])
			.expectProblem(413, "body-too-large");
		customer.get(claims(template)).expectProblem(405, "method-not-allowed");
		customer.get("/api/v1/me").expectProblem(404, "not-found");
		assertThat(issued(template)).isZero();

		// the one unit goes to the first good claim; the next customer finds it sold out
		customer.header("Idempotency-Key", "k1").post(claims(template), Map.of()).expect(201);
		viaGateway.as(customerToken("gw-late")).header("Idempotency-Key", "k1").post(claims(template), Map.of())
			.expectProblem(409, "sold-out");
		assertThat(issued(template)).isEqualTo(1);
		String paused = template("网关暂停", 5, 1);
		demo.owner.patch("/api/v1/coupons/templates/" + paused, Map.of("status", "PAUSED")).expect(200);
		viaGateway.as(customerToken("gw-paused")).header("Idempotency-Key", "k1").post(claims(paused), Map.of())
			.expectProblem(409, "template-paused");
		assertThat(issued(paused)).isZero();
	}

	@Test
	void pipelined_claims_on_one_kept_alive_connection_are_answered_in_order() throws Exception {
		String template = template("网关管线", 10, 3);
		String token = customerToken("gw-pipe");
		StringBuilder requests = new StringBuilder();
		for (int i = 0; i < 4; i++) {
			String body = "{\"source\":\"live\"}";
			requests.append("POST ").append(claims(template)).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n")
				.append("Authorization: Bearer ").append(token).append("\r\n")
				.append("Idempotency-Key: pipe-").append(i).append("\r\n")
				.append("Content-Type: application/json\r\nContent-Length: ").append(body.length()).append("\r\n\r\n")
				.append(body);
		}
		List<String> statuses = new ArrayList<>();
		try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
			socket.setSoTimeout((int) Duration.ofSeconds(30).toMillis());
			OutputStream out = socket.getOutputStream();
			out.write(requests.toString().getBytes(StandardCharsets.UTF_8));
			out.flush();
			InputStream in = socket.getInputStream();
			for (int i = 0; i < 4; i++) {
				String status = line(in);
				int length = 0;
				for (String header = line(in); !header.isEmpty(); header = line(in)) {
					if (header.regionMatches(true, 0, "content-length:", 0, 15)) {
						length = Integer.parseInt(header.substring(15).trim());
					}
				}
				String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
				statuses.add(status.substring(9, 12) + " " + (status.startsWith("HTTP/1.1 409")
						? body.replaceAll(".*\"code\":\"([^\"]+)\".*", "$1") : ""));
			}
		}
		// a limit of 3: the fourth in order is the one refused
		assertThat(statuses).containsExactly("201 ", "201 ", "201 ", "409 limit-reached");
	}

	/** One header line (CRLF-terminated, ASCII), without its end. */
	private static String line(InputStream in) throws java.io.IOException {
		StringBuilder line = new StringBuilder();
		for (int c = in.read(); c != '\n'; c = in.read()) {
			if (c < 0) {
				throw new java.io.EOFException("connection closed after " + line);
			}
			if (c != '\r') {
				line.append((char) c);
			}
		}
		return line.toString();
	}

	private String template(String name, int stock, int perCustomer) {
		return demo.owner.post("/api/v1/coupons/templates", Map.of("name", name, "kind", "NO_THRESHOLD", "discountFen", 500,
				"validFrom", Instant.now().minusSeconds(60).toString(), "validUntil",
				Instant.now().plus(Duration.ofDays(1)).toString(), "stock", stock, "perCustomerLimit", perCustomer))
			.expect(201)
			.string("id");
	}

	private String customerToken(String externalId) {
		Api backend = demo.anonymous.as(demo.apiKey("gw " + externalId, "customers:token"));
		return backend.post("/api/v1/customers/tokens", Map.of("externalId", externalId + "-" + UUID.randomUUID()))
			.string("accessToken");
	}

	private double answered(String outcome) {
		return meters.counter("storecast.gateway.claims", "outcome", outcome).count();
	}

	private long issued(String template) {
		return jdbc.sql("SELECT count(*) FROM coupons_coupons WHERE template_id = ?")
			.param(UUID.fromString(template))
			.query(Long.class)
			.single();
	}

	private static String claims(String template) {
		return "/api/v1/coupons/templates/" + template + "/claims";
	}
}
