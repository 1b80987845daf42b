package io.storecast.messaging.internal;

import java.time.Clock;
import java.time.Duration;
import java.util.UUID;

import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.messaging.ConversationId;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** Downloads through signed links: no Authorization header, the signature is the proof. */
@Tag(name = "Conversations")
@RestController
@RequestMapping("/api/v1/files")
class SignedFileController {

	private final FileService files;
	private final Clock clock;

	SignedFileController(FileService files, Clock clock) {
		this.files = files;
		this.clock = clock;
	}

	@Operation(summary = "Download a file through a signed link (from POST .../files/{fileId}/link)")
	@GetMapping("/{id}/{fileId}")
	ResponseEntity<Resource> download(@PathVariable ConversationId id, @PathVariable UUID fileId,
			@RequestParam long expires, @RequestParam String sig) {
		long left = Math.max(0, expires - clock.instant().getEpochSecond());
		return FileController.serve(files.download(id, fileId, expires, sig),
				CacheControl.maxAge(Duration.ofSeconds(left)).cachePrivate());
	}
}
