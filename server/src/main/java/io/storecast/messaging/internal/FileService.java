package io.storecast.messaging.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.web.multipart.MultipartFile;

import io.storecast.identity.Actor;
import io.storecast.messaging.ConversationId;
import io.storecast.messaging.MessageKind;
import io.storecast.messaging.Participant;
import io.storecast.platform.ApiException;
import io.storecast.platform.ApiException.FieldProblem;
import io.storecast.platform.Ids;

/**
 * Uploads and downloads of the files media messages carry. A file belongs to one conversation and
 * only its members reach it; its type is sniffed from its content. Content lives on disk under
 * {@code <dir>/<conversation>/<file id>}, the row in {@code messaging_files}.
 */
@Service
class FileService {

	private static final Logger log = LoggerFactory.getLogger(FileService.class);
	static final int MAX_NAME_LENGTH = 255;

	private final MessagingService messaging;
	private final FileStore store;
	private final FileSettings settings;
	private final FileLinks links;
	private final Clock clock;
	private final Path dir;

	FileService(MessagingService messaging, FileStore store, FileSettings settings, FileLinks links, Environment env,
			Clock clock) {
		this.messaging = messaging;
		this.links = links;
		this.store = store;
		this.settings = settings;
		this.clock = clock;
		// the default is resolved here: @DefaultValue does not resolve placeholders
		this.dir = (settings.dir() != null ? settings.dir()
				: Path.of(env.resolvePlaceholders("${STORECAST_DATA_DIR:./data}"), "files")).toAbsolutePath();
	}

	/** A file to send: its row, and where its content is. */
	record Download(FileRow file, Path path) {
	}

	/**
	 * Stores an upload of a member who may post in the conversation: streamed to a temporary file
	 * (hashing as it goes) and moved into place, so neither memory nor a half-written file is at risk.
	 */
	FileRow upload(Actor actor, ConversationId id, @Nullable MultipartFile file) {
		Participant me = messaging.requirePoster(actor, id);
		if (file == null) {
			throw ApiException.badRequest("missing-parameter", "file", "Send the file as the multipart field 'file'");
		}
		if (file.isEmpty()) {
			throw ApiException.badRequest("validation-failed", "file", "The file is empty");
		}
		String name = cleanName(file.getOriginalFilename());
		UUID fileId = Ids.newId();
		Path target = dir.resolve(id.toString()).resolve(fileId.toString());
		try (InputStream in = file.getInputStream()) {
			byte[] head = in.readNBytes(FileTypes.HEAD_LENGTH);
			FileTypes.Sniffed type = FileTypes.sniff(head, head.length, name);
			if (type == null || !settings.allowedTypes().contains(type.contentType())) {
				throw new ApiException(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-file-type",
						"This kind of file cannot be sent; accepted: " + String.join(", ", settings.allowedTypes()),
						List.of(new FieldProblem("file", "is not an accepted type (recognised from its content)")), null);
			}
			long limit = settings.maxSize(type.kind()).toBytes();
			if (file.getSize() > limit) {
				throw tooLarge(type.kind(), limit);
			}
			Path incoming = Files.createDirectories(dir.resolve(".incoming"));
			Path temp = Files.createTempFile(incoming, fileId.toString(), ".part");
			try {
				MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
				long size;
				try (OutputStream out = new DigestOutputStream(Files.newOutputStream(temp), sha256)) {
					out.write(head);
					size = head.length + copy(in, out, limit - head.length, type.kind(), limit);
				}
				FileRow row = new FileRow(fileId, id, me, type.kind(), type.contentType(), size,
						HexFormat.of().formatHex(sha256.digest()), name, clock.instant());
				Files.createDirectories(target.getParent());
				Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
				try {
					store.insert(row);
				}
				catch (RuntimeException e) {
					Files.deleteIfExists(target);
					throw e;
				}
				return row;
			}
			finally {
				Files.deleteIfExists(temp);
			}
		}
		catch (IOException e) {
			throw new UncheckedIOException("Could not store an upload to " + id, e);
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException("SHA-256 is part of every JDK", e);
		}
	}

	/** A file of the conversation, for its members; 404 for a file of another conversation. */
	Download download(Actor actor, ConversationId id, UUID fileId) {
		messaging.requireMemberOf(actor, id);
		return content(id, fileId);
	}

	/** A download link that needs no Authorization header, for {@code <img src>}; works until it expires. */
	record Link(String url, java.time.Instant expiresAt) {
	}

	/** A signed link to a file of the conversation, for a member (valid for the configured link TTL). */
	Link link(Actor actor, ConversationId id, UUID fileId) {
		messaging.requireMemberOf(actor, id);
		store.find(id, fileId).orElseThrow(() -> ApiException.notFound("not-found", "No file " + fileId + " in this conversation"));
		java.time.Instant expires = clock.instant().plus(settings.linkTtl()).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
		return new Link(links.path(id, fileId, expires), expires);
	}

	/**
	 * A download through a signed link: the signature stands for the membership checked when the
	 * link was made. An expired, altered or foreign link is refused (403); a recalled file is gone (404).
	 */
	Download download(ConversationId id, UUID fileId, long expires, String sig) {
		if (sig == null || !links.valid(id, fileId, expires, sig)) {
			throw ApiException.forbidden("invalid-link", "This file link is not valid");
		}
		if (clock.instant().getEpochSecond() >= expires) {
			throw ApiException.forbidden("link-expired", "This file link has expired; ask for a new one");
		}
		return content(id, fileId);
	}

	private Download content(ConversationId id, UUID fileId) {
		FileRow row = store.find(id, fileId).orElseThrow(() -> ApiException.notFound("not-found", "No file " + fileId + " in this conversation"));
		Path path = dir.resolve(id.toString()).resolve(fileId.toString());
		if (!Files.isRegularFile(path)) {
			log.warn("The content of file {} of conversation {} is missing from {}", fileId, id, path);
			throw ApiException.notFound("not-found", "The content of file " + fileId + " is gone");
		}
		return new Download(row, path);
	}

	/**
	 * Deletes uploads that waited longer than the configured time for a message to carry them: their
	 * rows, then their content. Returns how many went. Runs every hour (and on any node: a row is
	 * deleted once, and a missing content file is not an error).
	 */
	@org.springframework.scheduling.annotation.Scheduled(fixedDelayString = "${storecast.messaging.files.sweep-interval:1h}",
			initialDelayString = "${storecast.messaging.files.sweep-interval:1h}")
	int sweepUnsent() {
		java.time.Instant before = clock.instant().minus(settings.unsentTtl());
		int swept = 0;
		List<FileRow> batch;
		do {
			batch = store.unsent(before, 500);
			for (FileRow file : batch) {
				if (store.deleteUnsent(file.conversationId(), file.id())) {
					try {
						Files.deleteIfExists(dir.resolve(file.conversationId().toString()).resolve(file.id().toString()));
					}
					catch (IOException e) {
						log.warn("Could not delete the content of unsent upload {}: {}", file.id(), e.toString());
					}
					swept++;
				}
			}
		}
		while (batch.size() == 500);
		if (swept > 0) {
			log.info("Deleted {} uploads never sent in a message (older than {})", swept, settings.unsentTtl());
		}
		return swept;
	}

	/** Copies at most {@code room} more bytes; a file that goes on is refused even if it declared a smaller size. */
	private static long copy(InputStream in, OutputStream out, long room, MessageKind kind, long limit) throws IOException {
		byte[] buffer = new byte[64 * 1024];
		long copied = 0;
		int n;
		while ((n = in.read(buffer)) != -1) {
			copied += n;
			if (copied > room) {
				throw tooLarge(kind, limit);
			}
			out.write(buffer, 0, n);
		}
		return copied;
	}

	private static ApiException tooLarge(MessageKind kind, long limit) {
		return new ApiException(HttpStatus.CONTENT_TOO_LARGE, "file-too-large",
				"A file of kind " + kind + " may have at most " + limit + " bytes",
				List.of(new FieldProblem("file", "is larger than " + limit + " bytes")), null);
	}

	/** The client's file name without any folder, control characters or excess, for display only. */
	static @Nullable String cleanName(@Nullable String original) {
		if (original == null) {
			return null;
		}
		String name = original.substring(Math.max(original.lastIndexOf('/'), original.lastIndexOf('\\')) + 1);
		name = name.codePoints()
			.filter(c -> !Character.isISOControl(c))
			.collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
			.toString()
			.strip();
		if (name.codePointCount(0, name.length()) > MAX_NAME_LENGTH) {
			name = name.substring(0, name.offsetByCodePoints(0, MAX_NAME_LENGTH));
		}
		return name.isEmpty() ? null : name;
	}
}
