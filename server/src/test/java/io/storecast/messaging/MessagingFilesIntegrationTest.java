package io.storecast.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;

import io.storecast.support.Api;
import io.storecast.support.DemoFixture;
import io.storecast.support.StorecastIntegrationTest;
import io.storecast.support.TestDatabase;
import tools.jackson.databind.JsonNode;

/**
 * Uploads, downloads and media messages. Small limits (images 256 KB, the largest kind 1 MB) keep
 * the too-large cases quick: one is refused by the upload's own check, one by the multipart limit.
 */
@StorecastIntegrationTest
@TestPropertySource(properties = { "storecast.messaging.files.max-image=256KB", "storecast.messaging.files.max-voice=256KB",
		"storecast.messaging.files.max-video=1MB", "storecast.messaging.files.max-file=512KB" })
// a context of its own that no other class shares: closed after the class rather than left running
// (its pollers, gateway and embedded PostgreSQL) beside the shared one until the JVM exits
@DirtiesContext
class MessagingFilesIntegrationTest {

	static final Path FILES = TestDatabase.temporaryDataDir();
	static final HttpClient HTTP = HttpClient.newHttpClient();

	@DynamicPropertySource
	static void files(DynamicPropertyRegistry registry) {
		registry.add("storecast.messaging.files.dir", FILES::toString);
	}

	@Autowired
	JdbcClient jdbc;

	@LocalServerPort
	int port;

	DemoFixture demo;

	@BeforeEach
	void setUp() {
		demo = new DemoFixture(port);
	}

	@Test
	void an_image_is_uploaded_downloaded_by_members_and_sent_as_a_message() throws Exception {
		Api customer = demo.customer("HZ-XH");
		String id = open(customer, "HZ-XH");
		byte[] png = png(8, 8);

		// the client's Content-Type and name do not matter: the content says PNG
		JsonNode uploaded = upload(customer, id, "月饼照片.jpg", "application/octet-stream", png).expect(201).json();
		String fileId = uploaded.path("fileId").asString();
		assertThat(uploaded.path("kind").asString()).isEqualTo("IMAGE");
		assertThat(uploaded.path("contentType").asString()).isEqualTo("image/png");
		assertThat(uploaded.path("size").asLong()).isEqualTo(png.length);
		assertThat(uploaded.path("sha256").asString()).isEqualTo(sha256(png));
		assertThat(FILES.resolve(id).resolve(fileId)).exists().hasBinaryContent(png);

		// a member of the store downloads it, with its type, length and digest
		Api clerk = demo.staff("hz-xh.clerk1");
		HttpResponse<byte[]> download = download(clerk, id, fileId, Map.of());
		assertThat(download.statusCode()).isEqualTo(200);
		assertThat(download.body()).isEqualTo(png);
		assertThat(download.headers().firstValue("Content-Type")).hasValue("image/png");
		assertThat(download.headers().firstValue("Content-Length")).hasValue(String.valueOf(png.length));
		assertThat(download.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
		assertThat(download.headers().firstValue("Content-Disposition").orElseThrow()).startsWith("inline");
		String etag = download.headers().firstValue("ETag").orElseThrow();
		assertThat(etag).isEqualTo("\"" + sha256(png) + "\"");
		assertThat(download(clerk, id, fileId, Map.of("If-None-Match", etag)).statusCode()).isEqualTo(304);
		HttpResponse<byte[]> range = download(clerk, id, fileId, Map.of("Range", "bytes=0-7"));
		assertThat(range.statusCode()).isEqualTo(206);
		assertThat(range.body()).isEqualTo(Arrays.copyOf(png, 8));

		// outsiders neither download nor upload
		Api outsider = demo.staff("gz-th.clerk1");
		HttpResponse<byte[]> refused = download(outsider, id, fileId, Map.of());
		assertThat(refused.statusCode()).isEqualTo(403);
		assertThat(new String(refused.body(), StandardCharsets.UTF_8)).contains("\"not-a-member\"");
		upload(outsider, id, "x.png", "image/png", png).expectProblem(403, "not-a-member");
		upload(demo.customer("HZ-XH"), id, "x.png", "image/png", png).expectProblem(403, "not-a-member");

		// a signed link works without a header (for <img src>), for anyone holding it, until it expires
		JsonNode link = clerk.post("/api/v1/conversations/" + id + "/files/" + fileId + "/link", Map.of()).expect(200).json();
		String url = link.path("url").asString();
		assertThat(url).startsWith("/api/v1/files/" + id + "/" + fileId + "?expires=");
		assertThat(Instant.parse(link.path("expiresAt").asString())).isAfter(Instant.now().plusSeconds(3000));
		HttpResponse<byte[]> linked = get(url);
		assertThat(linked.statusCode()).isEqualTo(200);
		assertThat(linked.body()).isEqualTo(png);
		assertThat(linked.headers().firstValue("Content-Type")).hasValue("image/png");
		assertThat(linked.headers().firstValue("Cache-Control").orElseThrow()).contains("private");
		// altered, expired, moved to another file, or incomplete: refused
		String sig = url.substring(url.indexOf("&sig=") + 5);
		long expires = Long.parseLong(url.substring(url.indexOf("expires=") + 8, url.indexOf("&sig=")));
		assertProblem(get(url.replace("&sig=" + sig, "&sig=" + "0".repeat(64))), 403, "invalid-link");
		assertProblem(get(url.replace("expires=" + expires, "expires=" + (expires + 3600))), 403, "invalid-link");
		assertProblem(get("/api/v1/files/" + id + "/" + UUID.randomUUID() + "?expires=" + expires + "&sig=" + sig), 403,
				"invalid-link");
		assertProblem(get("/api/v1/files/" + id + "/" + fileId + "?expires=" + expires), 400, "missing-parameter");
		assertProblem(get("/api/v1/files/" + id + "/" + fileId + "?expires=soon&sig=" + sig), 400, "invalid-value");
		// a link signed with the server's key but past its time is refused as expired
		long past = Instant.now().getEpochSecond() - 10;
		assertProblem(get("/api/v1/files/" + id + "/" + fileId + "?expires=" + past + "&sig="
				+ sign(id + "/" + fileId + "/" + past)), 403, "link-expired");
		// only members get links
		outsider.post("/api/v1/conversations/" + id + "/files/" + fileId + "/link", Map.of()).expectProblem(403, "not-a-member");

		// the uploader sends it as an IMAGE message, with a caption
		JsonNode sent = customer.header("Idempotency-Key", "img-1").post("/api/v1/conversations/" + id + "/messages",
				Map.of("kind", "IMAGE", "body", Map.of("fileId", fileId, "caption", "这款月饼礼盒还有吗"))).expect(201).json();
		JsonNode body = sent.path("message").path("body");
		assertThat(body.path("fileId").asString()).isEqualTo(fileId);
		assertThat(body.path("contentType").asString()).isEqualTo("image/png");
		assertThat(body.path("size").asLong()).isEqualTo(png.length);
		assertThat(body.path("url").asString()).isEqualTo("/api/v1/conversations/" + id + "/files/" + fileId);
		assertThat(body.path("caption").asString()).isEqualTo("这款月饼礼盒还有吗");
		JsonNode last = clerk.get("/api/v1/conversations/" + id + "/messages?limit=1").expect(200).json().get(0);
		assertThat(last.path("kind").asString()).isEqualTo("IMAGE");
		assertThat(last.path("body").path("url").asString()).isEqualTo(body.path("url").asString());
		// the caption is searchable
		assertThat(clerk.get("/api/v1/conversations/" + id + "/search?q=" + java.net.URLEncoder.encode("礼盒", StandardCharsets.UTF_8))
			.expect(200).json().get(0).path("kind").asString()).isEqualTo("IMAGE");

		// the kind must match the file, and only the uploader sends their file
		sendMedia(customer, id, "img-2", "VIDEO", Map.of("fileId", fileId)).expectProblem(400, "invalid-message");
		sendMedia(clerk, id, "img-3", "IMAGE", Map.of("fileId", fileId)).expectProblem(400, "unknown-file");
		sendMedia(customer, id, "img-4", "IMAGE", Map.of("fileId", UUID.randomUUID().toString()))
			.expectProblem(400, "unknown-file");
		sendMedia(customer, id, "img-5", "IMAGE", Map.of("fileId", "not-an-id")).expectProblem(400, "invalid-message");
		sendMedia(customer, id, "img-6", "IMAGE", Map.of()).expectProblem(400, "invalid-message");
		sendMedia(customer, id, "img-7", "IMAGE", Map.of("fileId", fileId, "caption", "长".repeat(1001)))
			.expectProblem(400, "invalid-message");
		sendMedia(customer, id, "img-8", "IMAGE", Map.of("fileId", fileId, "colour", "red"))
			.expectProblem(400, "invalid-message");
		sendMedia(customer, id, "img-9", "IMAGE", Map.of("fileId", fileId, "caption", "赌博吗"))
			.expectProblem(400, "sensitive-content");

		// recalling the message takes the picture back: no more downloads, no resending it
		long seq = sent.path("message").path("seq").asLong();
		customer.header("Idempotency-Key", "img-recall").post("/api/v1/conversations/" + id + "/messages/" + seq + "/recall",
				Map.of()).expect(200);
		assertThat(download(clerk, id, fileId, Map.of()).statusCode()).isEqualTo(404);
		assertThat(get(url).statusCode()).isEqualTo(404);
		sendMedia(customer, id, "img-10", "IMAGE", Map.of("fileId", fileId)).expectProblem(400, "unknown-file");
	}

	@Test
	void a_pdf_is_a_file_and_downloads_as_an_attachment() throws Exception {
		Api customer = demo.customer("SH-NJR");
		String id = open(customer, "SH-NJR");
		byte[] pdf = pdf();
		JsonNode uploaded = upload(customer, id, "发票.pdf", "application/pdf", pdf).expect(201).json();
		assertThat(uploaded.path("kind").asString()).isEqualTo("FILE");
		assertThat(uploaded.path("contentType").asString()).isEqualTo("application/pdf");
		String fileId = uploaded.path("fileId").asString();

		HttpResponse<byte[]> download = download(demo.staff("sh-njr.manager"), id, fileId, Map.of());
		assertThat(download.statusCode()).isEqualTo(200);
		assertThat(download.body()).isEqualTo(pdf);
		assertThat(download.headers().firstValue("Content-Type")).hasValue("application/pdf");
		assertThat(download.headers().firstValue("Content-Disposition").orElseThrow()).startsWith("attachment")
			.contains("filename*=UTF-8''%E5%8F%91%E7%A5%A8.pdf");

		JsonNode body = sendMedia(customer, id, "pdf-1", "FILE", Map.of("fileId", fileId)).expect(201).json()
			.path("message").path("body");
		assertThat(body.path("name").asString()).isEqualTo("发票.pdf");
		assertThat(body.has("caption")).isFalse();
	}

	@Test
	void files_stay_in_their_conversation() throws Exception {
		Api customer = demo.customer("SZ-GQJ");
		String here = open(customer, "SZ-GQJ");
		String there = open(customer, "SZ-WXC");
		String fileId = upload(customer, here, "a.png", "image/png", png(2, 2)).expect(201).string("fileId");

		// the same member, through another conversation: not found there, and not sendable there
		HttpResponse<byte[]> elsewhere = download(customer, there, fileId, Map.of());
		assertThat(elsewhere.statusCode()).isEqualTo(404);
		assertThat(new String(elsewhere.body(), StandardCharsets.UTF_8)).contains("\"not-found\"");
		long before = customer.get("/api/v1/conversations/" + there).json().path("lastSeq").asLong();
		sendMedia(customer, there, "x-1", "IMAGE", Map.of("fileId", fileId)).expectProblem(400, "unknown-file");
		assertThat(customer.get("/api/v1/conversations/" + there).json().path("lastSeq").asLong()).isEqualTo(before);
		assertThat(download(customer, here, UUID.randomUUID().toString(), Map.of()).statusCode()).isEqualTo(404);
	}

	@Test
	void unacceptable_uploads_are_refused_and_store_nothing() throws Exception {
		Api customer = demo.customer("GZ-TH");
		String id = open(customer, "GZ-TH");
		long filesBefore = countFiles();

		// text that claims to be a PNG
		upload(customer, id, "photo.png", "image/png", "<script>alert('hi')</script>".getBytes(StandardCharsets.UTF_8))
			.expectProblem(415, "unsupported-file-type");
		upload(customer, id, "empty.png", "image/png", new byte[0]).expectProblem(400, "validation-failed");
		// over the image limit (256 KB) but within the largest kind's (1 MB): refused by the upload
		byte[] bigPng = Arrays.copyOf(png(2, 2), 300 * 1024);
		assertThat(upload(customer, id, "big.png", "image/png", bigPng).expectProblem(413, "file-too-large").string("detail"))
			.contains("IMAGE");
		// over every limit: refused by the multipart parser, the same way
		byte[] hugePdf = Arrays.copyOf(pdf(), 1500 * 1024);
		assertThat(upload(customer, id, "huge.pdf", "application/pdf", hugePdf).expectProblem(413, "file-too-large")
			.string("detail")).startsWith("The upload is larger than");
		// a PDF within the 512 KB file limit but over the image one is fine
		upload(customer, id, "ok.pdf", "application/pdf", Arrays.copyOf(pdf(), 400 * 1024)).expect(201);
		// no file part, or not multipart at all
		customer.raw("POST", "/api/v1/conversations/" + id + "/files", "multipart/form-data; boundary=b",
				"--b\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--b--\r\n".getBytes(StandardCharsets.UTF_8))
			.expectProblem(400, "missing-parameter");
		customer.post("/api/v1/conversations/" + id + "/files", Map.of("file", "x")).expectProblem(415, "unsupported-media-type");
		customer.raw("POST", "/api/v1/conversations/" + UUID.randomUUID() + "/files", "multipart/form-data; boundary=b",
				multipart("b", "a.png", "image/png", png(1, 1))).expectProblem(404, "not-found");

		assertThat(countFiles()).isEqualTo(filesBefore + 1);
		try (var incoming = Files.list(FILES.resolve(".incoming"))) {
			assertThat(incoming).isEmpty();
		}
	}

	// --- helpers ------------------------------------------------------------------------------------

	private String open(Api customer, String store) {
		return customer.post("/api/v1/conversations/direct", Map.of("storeId", demo.node(store))).expect(200).string("id");
	}

	private static Api.Response upload(Api api, String conversation, String name, String contentType, byte[] content) {
		String boundary = "----storecast" + UUID.randomUUID();
		return api.raw("POST", "/api/v1/conversations/" + conversation + "/files", "multipart/form-data; boundary=" + boundary,
				multipart(boundary, name, contentType, content));
	}

	private static byte[] multipart(String boundary, String name, String contentType, byte[] content) {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name
				+ "\"\r\nContent-Type: " + contentType + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
		body.writeBytes(content);
		body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
		return body.toByteArray();
	}

	private static Api.Response sendMedia(Api api, String conversation, String clientMsgId, String kind, Map<String, ?> body) {
		return api.header("Idempotency-Key", clientMsgId)
			.post("/api/v1/conversations/" + conversation + "/messages", Map.of("kind", kind, "body", body));
	}

	private HttpResponse<byte[]> download(Api api, String conversation, String fileId, Map<String, String> headers)
			throws IOException, InterruptedException {
		HttpRequest.Builder request = HttpRequest
			.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/conversations/" + conversation + "/files/" + fileId))
			.header("Authorization", "Bearer " + api.token());
		headers.forEach(request::header);
		return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
	}

	/** Signs as the server does (HMAC-SHA256 with the key it keeps in messaging_keys). */
	private String sign(String text) throws Exception {
		byte[] key = jdbc.sql("SELECT secret FROM messaging_keys WHERE name = 'file-links'").query(byte[].class).single();
		javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
		mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
		return java.util.HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.US_ASCII)));
	}

	private HttpResponse<byte[]> get(String path) throws IOException, InterruptedException {
		return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
				HttpResponse.BodyHandlers.ofByteArray());
	}

	private static void assertProblem(HttpResponse<byte[]> response, int status, String code) {
		assertThat(response.statusCode()).isEqualTo(status);
		assertThat(new String(response.body(), StandardCharsets.UTF_8)).contains("\"code\":\"" + code + "\"");
	}

	private static long countFiles() throws IOException {
		try (var paths = Files.walk(FILES)) {
			return paths.filter(Files::isRegularFile).filter(p -> !p.getParent().getFileName().toString().equals(".incoming"))
				.count();
		}
	}

	/** A real PNG, drawn and encoded here. */
	private static byte[] png(int width, int height) throws IOException {
		BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
		image.setRGB(0, 0, 0xC0392B);
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ImageIO.write(image, "png", out);
		return out.toByteArray();
	}

	/** A minimal one-page PDF. */
	private static byte[] pdf() {
		return """
				%PDF-1.4
				1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
				2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
				3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj
				trailer << /Root 1 0 R >>
				%%EOF
				""".getBytes(StandardCharsets.US_ASCII);
	}

	private static String sha256(byte[] content) throws Exception {
		return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
	}
}
