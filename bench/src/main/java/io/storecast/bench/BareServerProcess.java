package io.storecast.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link BareWsServer} in a child JVM (same java binary, this bench's jar as class path), so its
 * memory and CPU are its own. Its standard input is a pipe from us: when this JVM goes away, the
 * child sees end-of-file and exits. {@link #close} stops it (SIGTERM, then SIGKILL).
 */
final class BareServerProcess implements AutoCloseable {

	private final Process process;
	private final int port;
	private final Path log;
	private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(2))
		.build();

	private BareServerProcess(Process process, int port, Path log) {
		this.process = process;
		this.port = port;
		this.log = log;
		// belt and braces: the child also exits when its stdin (our pipe) closes
		Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "bare-ws-server-cleanup"));
	}

	static BareServerProcess start(Path workDir) throws IOException, InterruptedException {
		int port = ServerProcess.freePort();
		Path classPath = Path.of(URI.create(BareWsServer.class.getProtectionDomain().getCodeSource().getLocation().toString()));
		List<String> command = new ArrayList<>();
		command.add(ProcessHandle.current().info().command().orElseThrow());
		String jvmArgs = System.getProperty("bench.baseline.jvmArgs", "").trim();
		if (!jvmArgs.isEmpty()) {
			command.addAll(List.of(jvmArgs.split("\\s+")));
		}
		command.addAll(List.of("-cp", classPath.toString(), BareWsServer.class.getName(), Integer.toString(port)));
		Path log = workDir.resolve("bare-ws-server.log");
		Process process = new ProcessBuilder(command).directory(workDir.toFile())
			.redirectErrorStream(true)
			.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
			.start();
		BareServerProcess bare = new BareServerProcess(process, port, log);
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		while (true) {
			if (!process.isAlive()) {
				throw new IllegalStateException("the bare server exited with " + process.exitValue() + ": "
						+ Files.readString(log));
			}
			if (Files.exists(log) && Files.readString(log).contains("listening on")) {
				break;
			}
			if (System.nanoTime() - deadline > 0) {
				bare.close();
				throw new IllegalStateException("the bare server did not start within 60 s: " + Files.readString(log));
			}
			Thread.sleep(20);
		}
		Bench.progress("started bare WebSocket server pid %d on 127.0.0.1:%d", process.pid(), port);
		return bare;
	}

	long pid() {
		return process.pid();
	}

	long cpuNanos() {
		return ServerProcess.cpuNanos(process.toHandle());
	}

	URI httpBase() {
		return URI.create("http://127.0.0.1:" + port);
	}

	URI wsUri(String rooms) {
		return URI.create("ws://127.0.0.1:" + port + "/ws" + (rooms == null ? "" : "?rooms=" + rooms));
	}

	/** Full GC in the child (jcmd GC.run), then its heap used, in bytes. */
	long heapUsedAfterGc() throws IOException, InterruptedException {
		StorecastFixture.fullGc(process.pid());
		return Frames.tree(stats()).path("heapUsed").asLong();
	}

	long connections() throws IOException, InterruptedException {
		return Frames.tree(stats()).path("connections").asLong();
	}

	private String stats() throws IOException, InterruptedException {
		HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/stats"))
			.timeout(Duration.ofSeconds(20))
			.GET()
			.build(), HttpResponse.BodyHandlers.ofString());
		return response.body();
	}

	@Override
	public void close() {
		http.close();
		process.destroy();
		try {
			if (!process.waitFor(15, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				process.waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException e) {
			process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
		Bench.progress("bare server pid %d stopped", process.pid());
	}
}
