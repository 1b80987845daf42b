package io.storecast.catalog.internal;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Import jobs and their per-row errors ({@code catalog_import_jobs}, {@code catalog_import_errors}). */
@Repository
class ImportJobs {

	enum Type {
		PRODUCTS, STOCK
	}

	enum Status {
		QUEUED, RUNNING, DONE, FAILED
	}

	/** An import as the API shows it: its counts move while it runs. */
	record Job(UUID id, Type type, Status status, @Nullable String fileName, String encoding, long bytes, long rowsRead,
			long rowsOk, long rowsFailed, @Nullable String errorCode, @Nullable String errorDetail, String createdBy,
			Instant createdAt, @Nullable Instant startedAt, @Nullable Instant finishedAt) {
	}

	/** One refused row: its number in the file (the header is row 1), the column at fault and why. */
	record RowError(long row, String field, String code, String reason) {
	}

	private final JdbcClient jdbc;

	ImportJobs(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	void insert(Job job) {
		jdbc.sql("""
				INSERT INTO catalog_import_jobs (id, type, status, file_name, encoding, bytes, created_by, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")
			.params(job.id(), job.type().name(), job.status().name(), job.fileName(), job.encoding(), job.bytes(),
					job.createdBy(), Timestamp.from(job.createdAt()))
			.update();
	}

	void started(UUID id, Instant at) {
		jdbc.sql("UPDATE catalog_import_jobs SET status = 'RUNNING', started_at = ? WHERE id = ?")
			.params(Timestamp.from(at), id)
			.update();
	}

	/** Adds a batch's counts and errors (in the batch's transaction, so the counts match what was written). */
	void progress(UUID id, long read, long ok, List<RowError> errors, long keepErrors) {
		jdbc.sql("""
				UPDATE catalog_import_jobs SET rows_read = rows_read + ?, rows_ok = rows_ok + ?, rows_failed = rows_failed + ?
				 WHERE id = ?""")
			.params(read, ok, errors.stream().mapToLong(RowError::row).distinct().count(), id)
			.update();
		if (errors.isEmpty()) {
			return;
		}
		long stored = jdbc.sql("SELECT count(*) FROM catalog_import_errors WHERE job_id = ?").param(id).query(Long.class).single();
		List<RowError> kept = errors.stream().limit(Math.max(0, keepErrors - stored)).toList();
		if (kept.isEmpty()) {
			return;
		}
		jdbc.sql("""
				INSERT INTO catalog_import_errors (job_id, row_no, field, code, reason)
				SELECT ?, * FROM unnest(CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]))
				ON CONFLICT DO NOTHING""")
			.params(id, kept.stream().map(RowError::row).toArray(Long[]::new),
					kept.stream().map(RowError::field).toArray(String[]::new),
					kept.stream().map(RowError::code).toArray(String[]::new),
					kept.stream().map(RowError::reason).toArray(String[]::new))
			.update();
	}

	void finished(UUID id, Status status, @Nullable String errorCode, @Nullable String errorDetail, Instant at) {
		jdbc.sql("""
				UPDATE catalog_import_jobs SET status = ?, error_code = ?, error_detail = ?, finished_at = ? WHERE id = ?""")
			.params(status.name(), errorCode, errorDetail, Timestamp.from(at), id)
			.update();
	}

	/** Jobs a stopped server left unfinished: they cannot resume (the upload is gone), so they fail. */
	int failUnfinished(Instant at) {
		return jdbc.sql("""
				UPDATE catalog_import_jobs SET status = 'FAILED', error_code = 'interrupted', finished_at = ?,
				       error_detail = 'The server stopped during this import; upload the file again (re-running an import is safe)'
				 WHERE status IN ('QUEUED', 'RUNNING')""")
			.param(Timestamp.from(at))
			.update();
	}

	Optional<Job> find(UUID id) {
		return jdbc.sql("SELECT * FROM catalog_import_jobs WHERE id = ?").param(id).query(this::job).optional();
	}

	List<Job> recent(@Nullable UUID before, int limit) {
		return jdbc.sql("""
				SELECT * FROM catalog_import_jobs WHERE (CAST(? AS uuid) IS NULL OR id < CAST(? AS uuid))
				 ORDER BY id DESC LIMIT ?""")
			.params(before, before, limit)
			.query(this::job)
			.list();
	}

	/** The errors of the first {@code rows} rows with errors after {@code afterRow} (all of a row's errors together). */
	List<RowError> errors(UUID id, long afterRow, int rows) {
		return jdbc.sql("""
				SELECT row_no, field, code, reason FROM catalog_import_errors
				 WHERE job_id = ? AND row_no IN (SELECT DISTINCT row_no FROM catalog_import_errors
				                                  WHERE job_id = ? AND row_no > ? ORDER BY row_no LIMIT ?)
				 ORDER BY row_no, field""")
			.params(id, id, afterRow, rows)
			.query((rs, n) -> new RowError(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)))
			.list();
	}

	private Job job(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
		return new Job(rs.getObject("id", UUID.class), Type.valueOf(rs.getString("type")),
				Status.valueOf(rs.getString("status")), rs.getString("file_name"), rs.getString("encoding"),
				rs.getLong("bytes"), rs.getLong("rows_read"), rs.getLong("rows_ok"), rs.getLong("rows_failed"),
				rs.getString("error_code"), rs.getString("error_detail"), rs.getString("created_by"),
				Products.instant(rs, "created_at"), Products.instant(rs, "started_at"), Products.instant(rs, "finished_at"));
	}
}
