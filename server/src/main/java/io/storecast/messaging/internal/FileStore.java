package io.storecast.messaging.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import io.storecast.messaging.ConversationId;
import io.storecast.messaging.MessageKind;
import io.storecast.messaging.Participant;

/** The rows of uploaded files in {@code messaging_files}; their content is on disk (see {@link FileService}). */
@Repository
class FileStore {

	private final JdbcClient jdbc;

	FileStore(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	void insert(FileRow f) {
		jdbc.sql("""
				INSERT INTO messaging_files (id, conversation_id, uploader, kind, content_type, size, sha256, original_name,
				                             created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""")
			.params(f.id(), f.conversationId().value(), f.uploader().toString(), f.kind().name(), f.contentType(), f.size(),
					f.sha256(), f.originalName(), Timestamp.from(f.createdAt()))
			.update();
	}

	/**
	 * The file, if it belongs to this conversation and was not recalled (a file of another
	 * conversation, or recalled, is as good as unknown).
	 */
	Optional<FileRow> find(ConversationId conversation, UUID id) {
		return jdbc.sql("SELECT * FROM messaging_files WHERE id = ? AND conversation_id = ? AND recalled_at IS NULL")
			.params(id, conversation.value())
			.query(FileStore::row)
			.optional();
	}

	/** Stops serving a file whose message was recalled. */
	void recall(ConversationId conversation, UUID id, java.time.Instant now) {
		jdbc.sql("UPDATE messaging_files SET recalled_at = ? WHERE id = ? AND conversation_id = ? AND recalled_at IS NULL")
			.params(Timestamp.from(now), id, conversation.value())
			.update();
	}

	private static FileRow row(ResultSet rs, int n) throws SQLException {
		return new FileRow(rs.getObject("id", UUID.class), new ConversationId(rs.getObject("conversation_id", UUID.class)),
				Participant.parse(rs.getString("uploader")), MessageKind.valueOf(rs.getString("kind")),
				rs.getString("content_type"), rs.getLong("size"), rs.getString("sha256"), rs.getString("original_name"),
				MessageStore.instant(rs, "created_at"));
	}

	/**
	 * Uploads made before {@code before} that no message carries, oldest first: the ones a client
	 * uploaded and never sent.
	 */
	java.util.List<FileRow> unsent(java.time.Instant before, int limit) {
		return jdbc.sql("""
				SELECT f.* FROM messaging_files f
				 WHERE f.created_at < ?
				   AND NOT EXISTS (SELECT 1 FROM messaging_messages m
				                    WHERE m.body ->> 'fileId' = f.id::text
				                      AND m.conversation_id = f.conversation_id)
				 ORDER BY f.created_at LIMIT ?""")
			.params(Timestamp.from(before), limit)
			.query(FileStore::row)
			.list();
	}

	/** Deletes an upload's row if it is still unsent; false when a message took it meanwhile. */
	boolean deleteUnsent(ConversationId conversation, UUID id) {
		return jdbc.sql("""
				DELETE FROM messaging_files f WHERE f.id = ? AND f.conversation_id = ?
				   AND NOT EXISTS (SELECT 1 FROM messaging_messages m
				                    WHERE m.body ->> 'fileId' = f.id::text
				                      AND m.conversation_id = f.conversation_id)""")
			.params(id, conversation.value())
			.update() == 1;
	}
}
