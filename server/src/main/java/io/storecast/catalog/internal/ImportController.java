package io.storecast.catalog.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.UUID;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

import io.storecast.identity.Actor;
import io.storecast.platform.ApiException;
import io.storecast.platform.CursorPage;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;

@Tag(name = "Catalog imports", description = "CSV imports of products and stock, with progress and per-row errors")
@RestController
@RequestMapping("/api/v1/catalog/imports")
class ImportController {

	private final CatalogImports imports;

	ImportController(CatalogImports imports) {
		this.imports = imports;
	}

	@Operation(summary = "Import a CSV file of products or stock as the body (Content-Type: text/csv)",
			description = "Answers 202 with the import job (Location: /api/v1/catalog/imports/{id}); the rows are written "
					+ "in the background. A file that is not UTF-8 or GBK, or whose header lacks a required column, is "
					+ "refused at once with 400 and nothing is imported. See docs/catalog.md for the columns.")
	@PostMapping(consumes = "text/csv")
	ResponseEntity<ImportJobs.Job> upload(@AuthenticationPrincipal Actor actor, @RequestParam(required = false) String type,
			@RequestHeader(name = "X-File-Name", required = false) String fileName, HttpServletRequest request)
			throws IOException {
		try (InputStream body = request.getInputStream()) {
			return accepted(imports.start(actor, type, body, fileName));
		}
	}

	@Operation(summary = "Import a CSV file of products or stock as a multipart upload (part 'file')")
	@PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
	ResponseEntity<ImportJobs.Job> uploadMultipart(@AuthenticationPrincipal Actor actor,
			@RequestParam(required = false) String type, @RequestPart(name = "file", required = false) MultipartFile file)
			throws IOException {
		if (file == null) {
			throw ApiException.badRequest("missing-file", "file", "Send the CSV file as the multipart part 'file'");
		}
		try (InputStream body = file.getInputStream()) {
			return accepted(imports.start(actor, type, body, file.getOriginalFilename()));
		}
	}

	@Operation(summary = "An import job: status (QUEUED, RUNNING, DONE, FAILED) and rows read, ok and failed so far")
	@GetMapping("/{id}")
	ImportJobs.Job get(@AuthenticationPrincipal Actor actor, @PathVariable UUID id) {
		return imports.get(actor, id);
	}

	@Operation(summary = "Recent import jobs, newest first")
	@GetMapping
	CursorPage<ImportJobs.Job> list(@AuthenticationPrincipal Actor actor, @RequestParam(required = false) String after,
			@RequestParam(required = false) Integer limit) {
		return imports.list(actor, after, CursorPage.limit(limit));
	}

	@Operation(summary = "The rows an import refused: row number (the header is row 1), column and reason",
			description = "Paged by row: limit counts rows (a row may have several errors).")
	@GetMapping("/{id}/errors")
	CursorPage<ImportJobs.RowError> errors(@AuthenticationPrincipal Actor actor, @PathVariable UUID id,
			@RequestParam(required = false) String after, @RequestParam(required = false) Integer limit) {
		return imports.errors(actor, id, after, CursorPage.limit(limit));
	}

	private static ResponseEntity<ImportJobs.Job> accepted(ImportJobs.Job job) {
		return ResponseEntity.accepted().location(URI.create("/api/v1/catalog/imports/" + job.id())).body(job);
	}
}
