package io.storecast.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The few REST calls the scenarios make, over one HTTP/1.1 client that runs on virtual threads. */
final class StorecastApi implements AutoCloseable {

	static final JsonMapper JSON = JsonMapper.builder().build();
	static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

	record Response(int status, JsonNode body) {
	}

	private final URI base;
	private final HttpClient http;

	StorecastApi(URI base) {
		this.base = base;
		this.http = newClient();
	}

	/** An HTTP/1.1 client (no h2c upgrade attempts) whose internal tasks run on virtual threads. */
	static HttpClient newClient() {
		return HttpClient.newBuilder()
			.version(HttpClient.Version.HTTP_1_1)
			.connectTimeout(Duration.ofSeconds(5))
			.executor(Executors.newVirtualThreadPerTaskExecutor())
			.build();
	}

	HttpClient client() {
		return http;
	}

	URI uri(String path) {
		return base.resolve(path);
	}

	HttpRequest loginRequest(String username, String password) {
		return HttpRequest.newBuilder(uri("/api/v1/auth/login"))
			.timeout(REQUEST_TIMEOUT)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(
					JSON.writeValueAsString(Map.of("username", username, "password", password))))
			.build();
	}

	HttpRequest getRequest(String path, String accessToken) {
		HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).timeout(REQUEST_TIMEOUT).GET();
		if (accessToken != null) {
			builder.header("Authorization", "Bearer " + accessToken);
		}
		return builder.build();
	}

	/** Logs in and returns the access token; fails unless the answer is 200 with a token. */
	String login(String username, String password) throws IOException, InterruptedException {
		Response response = send(loginRequest(username, password));
		JsonNode token = response.body().get("accessToken");
		if (response.status() != 200 || token == null || token.asString().isBlank()) {
			throw new IllegalStateException("login as " + username + " failed: " + response.status() + " " + response.body());
		}
		return token.asString();
	}

	Response get(String path, String accessToken) throws IOException, InterruptedException {
		return send(getRequest(path, accessToken));
	}

	Response post(String path, String accessToken, Object body) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(uri(path))
			.timeout(REQUEST_TIMEOUT)
			.header("Content-Type", "application/json")
			.header("Authorization", "Bearer " + accessToken)
			.POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
			.build();
		return send(request);
	}

	Response put(String path, String accessToken, Object body) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(uri(path))
			.timeout(REQUEST_TIMEOUT)
			.header("Content-Type", "application/json")
			.header("Authorization", "Bearer " + accessToken)
			.PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
			.build();
		return send(request);
	}

	Response send(HttpRequest request) throws IOException, InterruptedException {
		HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
		String text = response.body();
		JsonNode body = text == null || text.isBlank() ? JSON.missingNode() : JSON.readTree(text);
		return new Response(response.statusCode(), body);
	}

	@Override
	public void close() {
		http.close();
	}
}
