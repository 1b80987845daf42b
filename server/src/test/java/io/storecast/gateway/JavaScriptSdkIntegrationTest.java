package io.storecast.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;

/**
 * The JavaScript SDK served at {@code /sdk/storecast.js}, driven by Node against the real gateway:
 * two clients talk at once while one is dropped, and each hears the whole conversation once, in
 * order. Skipped where no Node 20 or newer is installed.
 */
@StorecastIntegrationTest
class JavaScriptSdkIntegrationTest {

	static final String SDK = "static/sdk/storecast.js";
	static final String SCRIPT = "sdk-js/conversation-test.mjs";
	static final long TIMEOUT_SECONDS = 60;

	@LocalServerPort
	int port;

	@Autowired
	Gateway gateway;

	@Test
	void the_sdk_is_packaged_as_a_static_resource() throws IOException {
		URL sdk = getClass().getClassLoader().getResource(SDK);
		assertThat(sdk).as("%s on the classpath, so the server serves it at /sdk/storecast.js", SDK).isNotNull();
		try (InputStream in = sdk.openStream()) {
			assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).contains("export class StorecastClient");
		}
	}

	@Test
	void two_javascript_clients_hear_the_whole_conversation_once_in_order_across_a_dropped_connection(@TempDir Path dir)
			throws Exception {
		int node = nodeMajorVersion();
		Assumptions.assumeTrue(node >= 20, node < 0 ? "node is not on the PATH: the JavaScript SDK test needs Node 20 or newer"
				: "node " + node + " is too old: the JavaScript SDK test needs Node 20 or newer");

		DemoFixture demo = new DemoFixture(port);
		Api customer = demo.customer("SH-NJR");
		Api clerk = demo.staff("sh-njr.clerk1");
		String conversation = customer.post("/api/v1/conversations/direct", Map.of("storeId", demo.node("SH-NJR")))
			.expect(200)
			.string("id");

		// side by side as .mjs: Node reads a .js file outside an ESM package as CommonJS
		copy(SDK, dir.resolve("storecast.mjs"));
		Path script = copy(SCRIPT, dir.resolve("conversation-test.mjs"));

		List<String> command = new ArrayList<>(List.of("node"));
		if (node < 22) {
			command.add("--experimental-websocket"); // a global WebSocket without the flag from Node 22 on
		}
		command.addAll(List.of(script.toString(), "ws://127.0.0.1:" + gateway.port() + gateway.path(), customer.token(),
				clerk.token(), conversation));
		Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
		StringBuilder output = new StringBuilder();
		Thread pipe = Thread.ofVirtual().start(() -> {
			try (BufferedReader lines = new BufferedReader(
					new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
				for (String line; (line = lines.readLine()) != null;) {
					System.out.println("[node] " + line);
					synchronized (output) {
						output.append(line).append('\n');
					}
				}
			}
			catch (IOException e) {
				// the process was killed: what it printed so far is in the output
			}
		});
		try {
			boolean finished = process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
			if (!finished) {
				process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
			pipe.join(5_000);
			synchronized (output) {
				assertThat(finished).as("node finished within %d s; it printed:%n%s", TIMEOUT_SECONDS, output).isTrue();
				assertThat(process.exitValue()).as("node's exit code; it printed:%n%s", output).isZero();
				assertThat(output).contains(" passed, 0 failed");
			}
		}
		finally {
			process.destroyForcibly();
		}
	}

	private Path copy(String resource, Path target) throws IOException {
		try (InputStream in = getClass().getClassLoader().getResourceAsStream(resource)) {
			assertThat(in).as("%s on the classpath", resource).isNotNull();
			Files.copy(in, target);
		}
		return target;
	}

	/** The major version of the {@code node} on the PATH, or -1 when there is none. */
	private static int nodeMajorVersion() {
		try {
			Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
			if (!p.waitFor(10, TimeUnit.SECONDS)) {
				p.destroyForcibly();
				return -1;
			}
			String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
			Matcher m = Pattern.compile("^v(\\d+)\\.").matcher(version);
			return p.exitValue() == 0 && m.find() ? Integer.parseInt(m.group(1)) : -1;
		}
		catch (IOException e) {
			return -1;
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return -1;
		}
	}
}
