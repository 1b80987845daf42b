package io.storecast.messaging.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;
import io.storecast.support.TestDatabase;

/** Uploads never sent in a message are deleted (row and content) once they are old; sent ones stay. */
@StorecastIntegrationTest
@TestPropertySource(properties = "storecast.messaging.files.unsent-ttl=0s")
// a context of its own that no other class shares: closed after the class rather than left running
// (its pollers, gateway and embedded PostgreSQL) beside the shared one until the JVM exits
@DirtiesContext
class FileSweepIntegrationTest {

	static final Path FILES = TestDatabase.temporaryDataDir();

	/** The smallest PNG: one transparent pixel. */
	static final byte[] PNG = Base64.getDecoder()
		.decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=");

	@DynamicPropertySource
	static void files(DynamicPropertyRegistry registry) {
		registry.add("storecast.messaging.files.dir", FILES::toString);
	}

	@LocalServerPort
	int port;

	@Autowired
	FileService files;

	@Test
	void uploads_never_sent_are_swept_and_sent_ones_stay() {
		DemoFixture demo = new DemoFixture(port);
		Api customer = demo.customer("SH-NJR");
		String id = customer.post("/api/v1/conversations/direct", Map.of("storeId", demo.node("SH-NJR"))).expect(200).string("id");
		String sent = upload(customer, id);
		String unsent = upload(customer, id);
		customer.header("Idempotency-Key", "sweep-1").post("/api/v1/conversations/" + id + "/messages",
				Map.of("kind", "IMAGE", "body", Map.of("fileId", sent))).expect(201);
		assertThat(content(id, unsent)).exists();

		assertThat(files.sweepUnsent()).isEqualTo(1);

		assertThat(content(id, unsent)).doesNotExist();
		assertThat(content(id, sent)).exists();
		customer.get("/api/v1/conversations/" + id + "/files/" + sent).expect(200);
		customer.get("/api/v1/conversations/" + id + "/files/" + unsent).expectProblem(404, "not-found");
		customer.header("Idempotency-Key", "sweep-2").post("/api/v1/conversations/" + id + "/messages",
				Map.of("kind", "IMAGE", "body", Map.of("fileId", unsent))).expectProblem(400, "unknown-file");
		assertThat(files.sweepUnsent()).isZero();
	}

	private static Path content(String conversation, String file) {
		return FILES.resolve(conversation).resolve(file);
	}

	private static String upload(Api api, String conversation) {
		String boundary = "----storecast" + UUID.randomUUID();
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.png\"\r\n"
				+ "Content-Type: image/png\r\n\r\n").getBytes(StandardCharsets.UTF_8));
		body.writeBytes(PNG);
		body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
		return api.raw("POST", "/api/v1/conversations/" + conversation + "/files", "multipart/form-data; boundary=" + boundary,
				body.toByteArray()).expect(201).string("fileId");
	}
}
