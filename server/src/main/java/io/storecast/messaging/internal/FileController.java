package io.storecast.messaging.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

import io.storecast.identity.Actor;
import io.storecast.messaging.ConversationId;
import io.storecast.messaging.MessageKind;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** Uploads for media messages (IMAGE, VOICE, VIDEO, FILE) and their downloads, for the conversation's members. */
@Tag(name = "Conversations")
@RestController
@RequestMapping("/api/v1/conversations/{id}/files")
class FileController {

	/** What an upload answers; the fileId goes into the body of the message that carries the file. */
	record Uploaded(UUID fileId, MessageKind kind, String contentType, long size, String sha256) {
	}

	private final FileService files;

	FileController(FileService files) {
		this.files = files;
	}

	@Operation(summary = "Upload a file (multipart field 'file') to send as an IMAGE, VOICE, VIDEO or FILE message",
			description = "The type is recognised from the content, not the name or Content-Type: JPEG, PNG, GIF, WebP "
					+ "images; AMR, MP3, M4A, OGG, WAV voice; MP4, WebM, MOV video; PDF, office documents and zip files. "
					+ "Others get 415 unsupported-file-type; files over their kind's limit 413 file-too-large.")
	@PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
	@ResponseStatus(HttpStatus.CREATED)
	Uploaded upload(@AuthenticationPrincipal Actor actor, @PathVariable ConversationId id,
			@RequestParam(name = "file", required = false) @Nullable MultipartFile file) {
		FileRow row = files.upload(actor, id, file);
		return new Uploaded(row.id(), row.kind(), row.contentType(), row.size(), row.sha256());
	}

	@Operation(summary = "Download a file of the conversation (members only); ETag is its SHA-256, ranges are supported")
	@GetMapping("/{fileId}")
	ResponseEntity<Resource> download(@AuthenticationPrincipal Actor actor, @PathVariable ConversationId id,
			@PathVariable UUID fileId) {
		return serve(files.download(actor, id, fileId), CacheControl.maxAge(Duration.ofDays(365)).cachePrivate().immutable());
	}

	@Operation(summary = "A signed link to the file that works without an Authorization header until it expires "
			+ "(for <img src>, <video src>); members only")
	@PostMapping("/{fileId}/link")
	FileService.Link link(@AuthenticationPrincipal Actor actor, @PathVariable ConversationId id, @PathVariable UUID fileId) {
		return files.link(actor, id, fileId);
	}

	/** Answers a download: the file's type, ETag and disposition; media inline, other files as attachments. */
	static ResponseEntity<Resource> serve(FileService.Download download, CacheControl cache) {
		FileRow file = download.file();
		// media are shown in place; other files are saved, never rendered by the browser
		ContentDisposition.Builder disposition = file.kind() == MessageKind.FILE ? ContentDisposition.attachment()
				: ContentDisposition.inline();
		if (file.originalName() != null) {
			disposition.filename(file.originalName(), StandardCharsets.UTF_8);
		}
		// Content-Length comes from the resource (set here it would be wrong for a range answer)
		return ResponseEntity.ok()
			.contentType(MediaType.parseMediaType(file.contentType()))
			.eTag(file.sha256())
			// the content behind a file id never changes, and only members may have it
			.cacheControl(cache)
			.header("X-Content-Type-Options", "nosniff")
			.header(HttpHeaders.CONTENT_DISPOSITION, disposition.build().toString())
			.body(new FileSystemResource(download.path()));
	}
}
