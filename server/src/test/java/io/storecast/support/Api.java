package io.storecast.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.assertj.core.api.Assertions;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A small HTTP client for the tests: {@code api.as(token).post("/path", body).expect(201)}. */
public final class Api {

	private static final JsonMapper JSON = JsonMapper.builder().build();
	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final String base;
	private final Map<String, String> headers;

	private Api(String base, Map<String, String> headers) {
		this.base = base;
		this.headers = headers;
	}

	public static Api at(int port) {
		return new Api("http://127.0.0.1:" + port, Map.of());
	}

	/** The same client sending {@code Authorization: Bearer <token>} (an access token or an API key). */
	public Api as(String token) {
		return header("Authorization", "Bearer " + token);
	}

	/** The bearer token this client sends. */
	public String token() {
		String auth = headers.get("Authorization");
		if (auth == null || !auth.startsWith("Bearer ")) {
			throw new IllegalStateException("This client has no bearer token");
		}
		return auth.substring(7);
	}

	public Api header(String name, String value) {
		Map<String, String> copy = new LinkedHashMap<>(headers);
		copy.put(name, value);
		return new Api(base, copy);
	}

	/** Logs in and returns a client acting as that staff member. */
	public Api login(String username, String password) {
		return as(post("/api/v1/auth/login", Map.of("username", username, "password", password)).expect(200)
			.string("accessToken"));
	}

	public Response get(String path) {
		return send("GET", path, null);
	}

	public Response delete(String path) {
		return send("DELETE", path, null);
	}

	public Response post(String path, Object body) {
		return send("POST", path, body);
	}

	public Response put(String path, Object body) {
		return send("PUT", path, body);
	}

	public Response patch(String path, Object body) {
		return send("PATCH", path, body);
	}

	/** Sends a raw body as it is (for malformed input). */
	public Response raw(String method, String path, String contentType, byte[] body) {
		HttpRequest.Builder request = request(path).method(method, HttpRequest.BodyPublishers.ofByteArray(body))
			.header("Content-Type", contentType);
		return execute(request);
	}

	public Response send(String method, String path, Object body) {
		HttpRequest.Builder request = request(path);
		if (body == null) {
			request.method(method, HttpRequest.BodyPublishers.noBody());
		}
		else {
			String text = body instanceof String s ? s : JSON.writeValueAsString(body);
			request.method(method, HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8))
				.header("Content-Type", "application/json");
		}
		return execute(request);
	}

	private HttpRequest.Builder request(String path) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
		headers.forEach(request::header);
		return request;
	}

	private static Response execute(HttpRequest.Builder request) {
		try {
			HttpResponse<String> response = HTTP.send(request.build(),
					HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
			return new Response(response);
		}
		catch (IOException e) {
			throw new IllegalStateException(e);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(e);
		}
	}

	/** A response with its JSON body. */
	public record Response(HttpResponse<String> raw) {

		public int status() {
			return raw.statusCode();
		}

		public JsonNode json() {
			String body = raw.body();
			return body == null || body.isBlank() ? JSON.nullNode() : JSON.readTree(body);
		}

		public String string(String field) {
			return json().path(field).asString();
		}

		public String header(String name) {
			return raw.headers().firstValue(name).orElse(null);
		}

		/** Asserts the status, showing the body when it differs. */
		public Response expect(int status) {
			Assertions.assertThat(status()).as("%s %s answered %s", raw.request().method(), raw.request().uri(), raw.body())
				.isEqualTo(status);
			return this;
		}

		/** Asserts a problem-details answer with this status and code. */
		public Response expectProblem(int status, String code) {
			expect(status);
			Assertions.assertThat(header("Content-Type")).startsWith("application/problem+json");
			Assertions.assertThat(string("code")).as("problem code in %s", raw.body()).isEqualTo(code);
			Assertions.assertThat(json().path("status").asInt()).isEqualTo(status);
			return this;
		}

		/** The field names listed under {@code errors}. */
		public java.util.List<String> errorFields() {
			java.util.List<String> fields = new java.util.ArrayList<>();
			json().path("errors").forEach(e -> fields.add(e.path("field").asString()));
			return fields;
		}
	}
}
