package io.storecast.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.Fixtures;
import io.storecast.support.StorecastIntegrationTest;
import tools.jackson.databind.JsonNode;

/** Who may see and change what: the org-tree scoping, customer tokens, and immediate revocation. */
@StorecastIntegrationTest
class AccessControlIntegrationTest {

	@LocalServerPort
	int port;

	DemoFixture demo;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
	}

	@Test
	void a_clerk_of_one_store_cannot_read_or_write_another_stores_data() {
		Api clerk = demo.staff("sh-njr.clerk1");
		JsonNode own = demo.customerOf("SH-NJR");
		JsonNode foreign = demo.customerOf("GZ-TH");

		clerk.get("/api/v1/customers/" + own.path("id").asString()).expect(200);
		clerk.get("/api/v1/customers/" + foreign.path("id").asString()).expectProblem(403, "forbidden");
		clerk.patch("/api/v1/customers/" + foreign.path("id").asString(), Map.of("nickname", "hacked"))
			.expectProblem(403, "forbidden");
		clerk.get("/api/v1/org/nodes/" + demo.node("GZ-TH")).expectProblem(403, "forbidden");
		clerk.get("/api/v1/customers?storeId=" + demo.node("GZ-TH")).expectProblem(403, "forbidden");
		clerk.patch("/api/v1/org/nodes/" + demo.node("SH-NJR"), Map.of("name", "x")).expectProblem(403, "forbidden");

		// the forbidden write changed nothing
		assertThat(demo.owner.get("/api/v1/customers/" + foreign.path("id").asString()).expect(200).string("nickname"))
			.isEqualTo(foreign.path("nickname").asString());

		// listings are bounded to the clerk's store
		Set<String> homeStores = new HashSet<>();
		String after = null;
		do {
			JsonNode page = clerk.get("/api/v1/customers?limit=50" + (after == null ? "" : "&after=" + after))
				.expect(200)
				.json();
			page.path("items").forEach(c -> homeStores.add(c.path("homeStoreId").asString()));
			after = page.path("nextCursor").isNull() || page.path("nextCursor").isMissingNode() ? null
					: page.path("nextCursor").asString();
		}
		while (after != null);
		assertThat(homeStores).containsExactly(demo.node("SH-NJR"));
		assertThat(codes(clerk.get("/api/v1/org/nodes").expect(200).json())).containsExactly("SH-NJR");
	}

	@Test
	void a_region_manager_sees_only_their_region() {
		Api east = demo.staff("east.manager");
		assertThat(codes(east.get("/api/v1/org/nodes").expect(200).json()))
			.containsExactlyInAnyOrder("EAST", "SH-NJR", "HZ-XH", "SZ-GQJ");
		east.get("/api/v1/org/nodes/" + demo.node("SOUTH")).expectProblem(403, "forbidden");
		east.get("/api/v1/org/nodes/" + demo.node("HQ")).expectProblem(403, "forbidden");
		east.get("/api/v1/customers/" + demo.customerOf("HZ-XH").path("id").asString()).expect(200);
		east.get("/api/v1/customers/" + demo.customerOf("SZ-WXC").path("id").asString()).expectProblem(403, "forbidden");
		JsonNode staff = east.get("/api/v1/staff?limit=200").expect(200).json().path("items");
		Set<String> usernames = new HashSet<>();
		staff.forEach(s -> usernames.add(s.path("username").asString()));
		assertThat(usernames).contains("east.manager", "sh-njr.clerk1", "hz-xh.manager")
			.doesNotContain("south.manager", "gz-th.clerk1", "owner", "hq.marketer");
		// may create stores in the region, not in the other region
		east.post("/api/v1/org/nodes", Map.of("parentId", demo.node("EAST"), "kind", "STORE", "code",
				"NB-TY-" + suffix(), "name", "宁波天一店")).expect(201);
		east.post("/api/v1/org/nodes", Map.of("parentId", demo.node("SOUTH"), "kind", "STORE", "code",
				"FS-" + suffix(), "name", "佛山店")).expectProblem(403, "forbidden");
	}

	@Test
	void managers_manage_only_roles_below_their_own_within_their_subtree() {
		Api manager = demo.staff("sh-njr.manager");
		Api clerk = demo.staff("sh-njr.clerk1");
		String name = "clerk-" + suffix();
		JsonNode created = manager.post("/api/v1/staff", Map.of("username", name, "displayName", "新店员", "role", "CLERK",
				"orgNodeId", demo.node("SH-NJR"))).expect(201).json();
		assertThat(created.path("temporaryPassword").asString()).hasSizeGreaterThanOrEqualTo(20);
		assertThat(created.path("passwordChangeRequired").asBoolean()).isTrue();

		manager.post("/api/v1/staff", Map.of("username", "x-" + suffix(), "displayName", "x", "role", "CLERK",
				"orgNodeId", demo.node("HZ-XH"))).expectProblem(403, "forbidden");
		manager.post("/api/v1/staff", Map.of("username", "x-" + suffix(), "displayName", "x", "role", "STORE_MANAGER",
				"orgNodeId", demo.node("SH-NJR"))).expectProblem(403, "forbidden");
		clerk.post("/api/v1/staff", Map.of("username", "x-" + suffix(), "displayName", "x", "role", "CLERK",
				"orgNodeId", demo.node("SH-NJR"))).expectProblem(403, "forbidden");
		// a role must sit at its kind of node
		demo.owner.post("/api/v1/staff", Map.of("username", "x-" + suffix(), "displayName", "x", "role",
				"REGION_MANAGER", "orgNodeId", demo.node("SH-NJR"))).expectProblem(400, "invalid-role-placement");
		// only the owner manages API keys
		manager.get("/api/v1/api-keys").expectProblem(403, "forbidden");
		demo.staff("hq.marketer").post("/api/v1/api-keys", Map.of("name", "x", "scopes", List.of("customers:read")))
			.expectProblem(403, "forbidden");
	}

	@Test
	void a_customer_token_reaches_only_the_customers_own_data() {
		String key = demo.apiKey("shop backend", "customers:token");
		String externalId = "shop-user-" + suffix();
		JsonNode minted = demo.anonymous.as(key)
			.post("/api/v1/customers/tokens",
					Map.of("externalId", externalId, "profile",
							Map.of("nickname", "小美", "phone", "13812345678", "homeStoreId", demo.node("HZ-XH"))))
			.expect(201)
			.json();
		assertThat(minted.path("customerCreated").asBoolean()).isTrue();
		Api customer = demo.anonymous.as(minted.path("accessToken").asString());
		String id = minted.path("customerId").asString();

		JsonNode me = customer.get("/api/v1/me").expect(200).json();
		assertThat(me.path("kind").asString()).isEqualTo("CUSTOMER");
		assertThat(me.path("customer").path("phone").asString()).isEqualTo("+8613812345678");
		customer.get("/api/v1/customers/" + id).expect(200);
		customer.get("/api/v1/customers/" + demo.customerOf("HZ-XH").path("id").asString())
			.expectProblem(403, "forbidden");
		customer.get("/api/v1/customers").expectProblem(403, "forbidden");
		customer.patch("/api/v1/customers/" + id, Map.of("nickname", "x")).expectProblem(403, "forbidden");
		customer.get("/api/v1/org/nodes").expectProblem(403, "forbidden");
		customer.get("/api/v1/staff").expectProblem(403, "forbidden");

		// minting again for the same external id gives the same customer, not a new one
		JsonNode again = demo.anonymous.as(key).post("/api/v1/customers/tokens", Map.of("externalId", externalId))
			.expect(200).json();
		assertThat(again.path("customerId").asString()).isEqualTo(id);
		assertThat(again.path("customerCreated").asBoolean()).isFalse();
	}

	@Test
	void api_keys_act_only_within_their_scopes() {
		String readOnly = demo.apiKey("reporting", "customers:read");
		Api reporting = demo.anonymous.as(readOnly);
		reporting.get("/api/v1/customers?limit=1").expect(200);
		reporting.put("/api/v1/customers/external/x-" + suffix(), Map.of("nickname", "x")).expectProblem(403, "forbidden");
		reporting.post("/api/v1/customers/tokens", Map.of("externalId", "x")).expectProblem(403, "forbidden");
		reporting.get("/api/v1/org/nodes").expectProblem(403, "forbidden");

		Api writer = demo.anonymous.header("X-Api-Key", demo.apiKey("crm", "customers:write"));
		String externalId = "crm-" + suffix();
		writer.put("/api/v1/customers/external/" + externalId,
				Map.of("nickname", "王女士", "memberLevel", "GOLD", "birthday", "1990-05-20")).expect(200);
		assertThat(writer.get("/api/v1/customers/external/" + externalId).expect(200).string("memberLevel"))
			.isEqualTo("GOLD");
	}

	@Test
	void a_revoked_api_key_is_refused_at_once() {
		JsonNode created = demo.owner.post("/api/v1/api-keys", Map.of("name", "temp", "scopes", List.of("customers:read")))
			.expect(201)
			.json();
		Api client = demo.anonymous.as(created.path("key").asString());
		client.get("/api/v1/customers?limit=1").expect(200);
		// listed without the secret
		JsonNode listed = demo.owner.get("/api/v1/api-keys").expect(200).json();
		listed.forEach(k -> assertThat(k.path("key").isNull() || k.path("key").isMissingNode()).isTrue());

		demo.owner.delete("/api/v1/api-keys/" + created.path("id").asString()).expect(204);
		client.get("/api/v1/customers?limit=1").expectProblem(401, "api-key-revoked");
		// a forged key with a valid id but wrong secret
		String forged = created.path("key").asString().substring(0, 37) + "A".repeat(43);
		demo.anonymous.as(forged).get("/api/v1/me").expectProblem(401, "invalid-api-key");
	}

	@Test
	void logout_and_disabling_end_sessions_at_once() {
		Api manager = demo.staff("sz-gqj.manager");
		String name = "leaver-" + suffix();
		String temp = manager.post("/api/v1/staff", Map.of("username", name, "displayName", "离职店员", "role", "CLERK",
				"orgNodeId", demo.node("SZ-GQJ"), "password", "Clerk-Pass-2026!")).expect(201).json()
			.path("temporaryPassword").asString();
		assertThat(temp).isEmpty();
		JsonNode tokens = demo.anonymous.post("/api/v1/auth/login", Map.of("username", name, "password", "Clerk-Pass-2026!"))
			.expect(200).json();
		Api leaver = demo.anonymous.as(tokens.path("accessToken").asString());
		leaver.get("/api/v1/me").expect(200);
		String id = leaver.get("/api/v1/me").json().path("staff").path("id").asString();

		manager.patch("/api/v1/staff/" + id, Map.of("status", "DISABLED")).expect(200);
		leaver.get("/api/v1/me").expectProblem(401, "token-revoked");
		demo.anonymous.post("/api/v1/auth/refresh", Map.of("refreshToken", tokens.path("refreshToken").asString()))
			.expectProblem(401, "invalid-refresh-token");
		demo.anonymous.post("/api/v1/auth/login", Map.of("username", name, "password", "Clerk-Pass-2026!"))
			.expectProblem(401, "bad-credentials");

		Api clerk = demo.staff("sz-gqj.clerk1");
		clerk.get("/api/v1/me").expect(200);
		clerk.post("/api/v1/auth/logout", Map.of()).expect(204);
		clerk.get("/api/v1/me").expectProblem(401, "token-revoked");
	}

	@Test
	void missing_invalid_and_expired_tokens_get_401_with_problem_details() throws Exception {
		demo.anonymous.get("/api/v1/me").expectProblem(401, "unauthenticated");
		demo.anonymous.get("/api/v1/customers").expectProblem(401, "unauthenticated");
		demo.anonymous.as("not-a-token").get("/api/v1/me").expectProblem(401, "invalid-token");
		demo.anonymous.as("sck_123").get("/api/v1/me").expectProblem(401, "invalid-api-key");

		// a correctly signed token for a live session, but expired
		JsonNode login = demo.anonymous.post("/api/v1/auth/login",
				Map.of("username", "sh-njr.clerk2", "password", Fixtures.DEMO_PASSWORD)).expect(200).json();
		JWTClaimsSet real = SignedJWT.parse(login.path("accessToken").asString()).getJWTClaimsSet();
		Instant past = Instant.now().minusSeconds(3600);
		String expired = sign(new JWTClaimsSet.Builder(real).issueTime(Date.from(past))
			.expirationTime(Date.from(past.plusSeconds(60))).build());
		demo.anonymous.as(expired).get("/api/v1/me").expectProblem(401, "token-expired");
		// signed with another key
		SignedJWT other = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), real);
		other.sign(new MACSigner(new byte[48]));
		demo.anonymous.as(other.serialize()).get("/api/v1/me").expectProblem(401, "invalid-token");
		// a token naming another session than the one it was issued for
		String wrongSession = sign(new JWTClaimsSet.Builder(real).claim("sid", UUID.randomUUID().toString()).build());
		demo.anonymous.as(wrongSession).get("/api/v1/me").expectProblem(401, "invalid-token");
	}

	private static String sign(JWTClaimsSet claims) throws Exception {
		SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
		jwt.sign(new MACSigner(java.util.Base64.getDecoder().decode(Fixtures.TOKEN_SECRET)));
		return jwt.serialize();
	}

	private static List<String> codes(JsonNode nodes) {
		List<String> codes = new java.util.ArrayList<>();
		nodes.forEach(n -> codes.add(n.path("code").asString()));
		return codes;
	}

	static String suffix() {
		return UUID.randomUUID().toString().substring(0, 8);
	}
}
