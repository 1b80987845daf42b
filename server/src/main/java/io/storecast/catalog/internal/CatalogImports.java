package io.storecast.catalog.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import io.storecast.identity.AccessPolicy;
import io.storecast.identity.Actor;
import io.storecast.identity.OrgDirectory;
import io.storecast.identity.Permission;
import io.storecast.platform.ApiException;
import io.storecast.platform.CursorPage;
import io.storecast.platform.Ids;
import jakarta.annotation.PreDestroy;

/**
 * CSV imports of products and of stock. The upload is streamed to a file and checked at once (its
 * encoding and its header: a bad one is refused with 400 and nothing is created); then a job reads it
 * on a virtual thread of its own, a batch of rows per transaction, so a file of any size takes the
 * same memory. Valid rows go in, each invalid row is reported (row, column, reason), and the job's
 * counts move as it goes. Re-running a file is safe: products and SKUs are upserted by external id,
 * stock levels are set (recorded as the COUNT adjustments they imply, none when nothing changed).
 */
@Service
class CatalogImports {

	private static final Logger log = LoggerFactory.getLogger(CatalogImports.class);

	private final ImportJobs jobs;
	private final ProductRows productRows;
	private final StockRows stockRows;
	private final AccessPolicy access;
	private final OrgDirectory org;
	private final CatalogSettings settings;
	private final TransactionTemplate tx;
	private final Clock clock;
	private final Path dir;
	private final ExecutorService runner = Executors.newThreadPerTaskExecutor(
			Thread.ofVirtual().name("catalog-import-", 0).factory());
	/** One import at a time: they are bulk work on a shared database, and a queued job shows QUEUED. */
	private final Semaphore running = new Semaphore(1);

	CatalogImports(ImportJobs jobs, ProductRows productRows, StockRows stockRows, AccessPolicy access, OrgDirectory org,
			CatalogSettings settings, TransactionTemplate tx, Clock clock, Environment env) {
		this.jobs = jobs;
		this.productRows = productRows;
		this.stockRows = stockRows;
		this.access = access;
		this.org = org;
		this.settings = settings;
		this.tx = tx;
		this.clock = clock;
		this.dir = (settings.importDir() != null ? settings.importDir()
				: Path.of(env.resolvePlaceholders("${STORECAST_DATA_DIR:./data}"), "imports")).toAbsolutePath();
	}

	@EventListener(ApplicationReadyEvent.class)
	void failLeftovers() {
		int failed = jobs.failUnfinished(clock.instant());
		if (failed > 0) {
			log.warn("{} catalog import(s) were cut off by the last shutdown and are marked FAILED (interrupted)", failed);
		}
	}

	@PreDestroy
	void stop() {
		runner.shutdownNow();
	}

	/** Takes an upload: checks it, creates the job and starts it. The stream is read to its end here. */
	ImportJobs.Job start(Actor actor, @Nullable String type, InputStream upload, @Nullable String fileName) {
		ImportJobs.Type kind = type(type);
		access.require(actor, kind == ImportJobs.Type.PRODUCTS ? Permission.CATALOG_WRITE : Permission.STOCK_WRITE);
		UUID id = Ids.newId();
		Path file = dir.resolve(id + ".csv");
		try {
			Files.createDirectories(dir);
			long bytes = CsvFiles.store(upload, file, settings.importMaxFileSize().toBytes());
			if (bytes == 0) {
				throw ApiException.badRequest("empty-file", "file", "The file is empty");
			}
			Charset charset = CsvFiles.detect(file);
			// the header is checked now, so that a file with missing columns is refused before a job exists
			open(kind, file, charset).close();
			ImportJobs.Job job = new ImportJobs.Job(id, kind, ImportJobs.Status.QUEUED, cleanName(fileName),
					charset.name(), bytes, 0, 0, 0, null, null, StockKeeping.who(actor), clock.instant(), null, null);
			jobs.insert(job);
			runner.submit(() -> run(job, actor, file, charset));
			return job;
		}
		catch (IOException e) {
			deleteQuietly(file);
			throw new UncheckedIOException("Could not store the upload in " + dir, e);
		}
		catch (RuntimeException e) {
			deleteQuietly(file);
			throw e;
		}
	}

	private CSVParser open(ImportJobs.Type kind, Path file, Charset charset) throws IOException {
		return kind == ImportJobs.Type.PRODUCTS ? productRows.open(file, charset) : stockRows.open(file, charset);
	}

	private void run(ImportJobs.Job job, Actor actor, Path file, Charset charset) {
		try {
			running.acquire();
		}
		catch (InterruptedException e) {
			jobs.finished(job.id(), ImportJobs.Status.FAILED, "interrupted", "The server stopped before the import began",
					clock.instant());
			deleteQuietly(file);
			return;
		}
		long started = System.nanoTime();
		try (CSVParser parser = open(job.type(), file, charset)) {
			jobs.started(job.id(), clock.instant());
			ZoneId zone = org.headOffice().timeZone();
			Batches batches = job.type() == ImportJobs.Type.PRODUCTS
					? productRows.batches(job, parser, zone) : stockRows.batches(job, actor, parser);
			Iterator<CSVRecord> records = parser.iterator();
			List<CSVRecord> batch = new ArrayList<>(settings.importBatchSize());
			while (true) {
				boolean more;
				try {
					more = records.hasNext();
					if (more) {
						batch.add(records.next());
					}
				}
				catch (UncheckedIOException | IllegalStateException broken) {
					flush(job, batches, batch);
					long row = parser.getRecordNumber() + 1;
					String code = CsvFiles.isDecodingError(broken) ? "unreadable-encoding" : "malformed-csv";
					jobs.finished(job.id(), ImportJobs.Status.FAILED, code,
							"The file cannot be read past row " + row + ": " + rootMessage(broken), clock.instant());
					return;
				}
				if (!more || batch.size() == settings.importBatchSize()) {
					flush(job, batches, batch);
					if (Thread.currentThread().isInterrupted()) {
						throw new InterruptedException();
					}
				}
				if (!more) {
					break;
				}
			}
			jobs.finished(job.id(), ImportJobs.Status.DONE, null, null, clock.instant());
			log.info("Catalog import {} ({}) of {} done in {} ms", job.id(), job.type(), job.fileName(),
					(System.nanoTime() - started) / 1_000_000);
		}
		catch (InterruptedException e) {
			finishQuietly(job, "interrupted", "The server stopped during this import; upload the file again");
		}
		catch (Exception e) {
			log.error("Catalog import {} failed", job.id(), e);
			finishQuietly(job, "import-failed", "The import stopped on an unexpected error: " + rootMessage(e));
		}
		finally {
			running.release();
			deleteQuietly(file);
		}
	}

	/** Writes one batch and its counts in one transaction. */
	private void flush(ImportJobs.Job job, Batches batches, List<CSVRecord> batch) {
		if (batch.isEmpty()) {
			return;
		}
		tx.executeWithoutResult(s -> {
			Batches.Outcome outcome = batches.write(batch);
			jobs.progress(job.id(), batch.size(), outcome.ok(), outcome.errors(), settings.importMaxErrors());
		});
		batch.clear();
	}

	/** Writes batches of rows of one job; implemented for products and for stock. */
	interface Batches {

		record Outcome(long ok, List<ImportJobs.RowError> errors) {
		}

		/** Writes the valid rows of the batch (in the caller's transaction) and reports the others. */
		Outcome write(List<CSVRecord> rows);
	}

	// --- reading jobs ---------------------------------------------------------------------------

	ImportJobs.Job get(Actor actor, UUID id) {
		access.require(actor, Permission.CATALOG_READ);
		return jobs.find(id).orElseThrow(() -> ApiException.notFound("import-not-found", "No import " + id));
	}

	CursorPage<ImportJobs.Job> list(Actor actor, @Nullable String after, int limit) {
		access.require(actor, Permission.CATALOG_READ);
		return CursorPage.of(jobs.recent(uuid(after), limit + 1), limit, j -> j.id().toString());
	}

	/** A page of a job's row errors, by row; the cursor is the last row number of the page. */
	CursorPage<ImportJobs.RowError> errors(Actor actor, UUID id, @Nullable String after, int limit) {
		get(actor, id);
		long afterRow;
		try {
			afterRow = after == null || after.isBlank() ? 0 : Long.parseLong(after);
		}
		catch (NumberFormatException e) {
			throw ApiException.badRequest("invalid-cursor", "after", "after must be a nextCursor from an earlier page");
		}
		List<ImportJobs.RowError> fetched = jobs.errors(id, afterRow, limit + 1);
		long rows = fetched.stream().mapToLong(ImportJobs.RowError::row).distinct().count();
		if (rows <= limit) {
			return new CursorPage<>(fetched, null);
		}
		long lastRow = fetched.stream().mapToLong(ImportJobs.RowError::row).distinct().sorted().skip(limit - 1).findFirst()
			.orElseThrow();
		return new CursorPage<>(fetched.stream().filter(e -> e.row() <= lastRow).toList(), Long.toString(lastRow));
	}

	// --- helpers --------------------------------------------------------------------------------

	static ImportJobs.Type type(@Nullable String type) {
		if (type == null || type.isBlank()) {
			throw ApiException.badRequest("missing-parameter", "type", "type is required: products or stock");
		}
		return switch (type.strip().toLowerCase(java.util.Locale.ROOT)) {
			case "products" -> ImportJobs.Type.PRODUCTS;
			case "stock" -> ImportJobs.Type.STOCK;
			default -> throw ApiException.badRequest("invalid-value", "type", "type must be products or stock, was '" + type + "'");
		};
	}

	private static @Nullable String cleanName(@Nullable String name) {
		if (name == null || name.isBlank()) {
			return null;
		}
		String base = Path.of(name.replace('\\', '/')).getFileName().toString();
		return StockChat.shorten(base.replaceAll("\\p{Cntrl}", ""), 200);
	}

	private static @Nullable UUID uuid(@Nullable String text) {
		try {
			return text == null || text.isBlank() ? null : UUID.fromString(text);
		}
		catch (IllegalArgumentException e) {
			throw ApiException.badRequest("invalid-cursor", "after", "after must be a nextCursor from an earlier page");
		}
	}

	private void finishQuietly(ImportJobs.Job job, String code, String detail) {
		try {
			jobs.finished(job.id(), ImportJobs.Status.FAILED, code, detail, clock.instant());
		}
		catch (RuntimeException e) {
			log.warn("Could not mark import {} as failed: {}", job.id(), e.getMessage());
		}
	}

	private static String rootMessage(Throwable e) {
		Throwable root = e;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
	}

	private static void deleteQuietly(Path file) {
		try {
			Files.deleteIfExists(file);
		}
		catch (IOException e) {
			log.warn("Could not delete {}: {}", file, e.getMessage());
		}
	}
}
