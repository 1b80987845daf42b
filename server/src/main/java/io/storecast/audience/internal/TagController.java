package io.storecast.audience.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.identity.Actor;
import io.storecast.identity.CustomerId;
import io.storecast.platform.ApiException;
import io.storecast.platform.CursorPage;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;

/** Tags and tag rules; manual tags on customers; CSV imports. */
@Tag(name = "Audience: tags", description = "Manual, imported and rule tags (docs/audience.md)")
@RestController
@RequestMapping("/api/v1/audience")
class TagController {

	static final int MAX_CSV_BYTES = 5 * 1024 * 1024;

	record AssignBody(@Nullable String tag) {
	}

	private final TagManagement tags;

	TagController(TagManagement tags) {
		this.tags = tags;
	}

	@Operation(summary = "Every tag with how many customers (of your stores) carry it (audience:read)")
	@GetMapping("/tags")
	List<TagManagement.TagView> list(@AuthenticationPrincipal Actor actor) {
		return tags.list(actor);
	}

	@Operation(summary = "Create a tag; with a rule, a rule tag evaluated over every customer at once (head office)",
			description = "rule is a condition over customer facts (no tag, segment or consent fields). A rule that can "
					+ "never be true is 400 rule-never-true. 201 with the tag, its members and how many were added.")
	@PostMapping("/tags")
	ResponseEntity<TagManagement.RuleResult> create(@AuthenticationPrincipal Actor actor,
			@RequestBody TagManagement.TagBody body) {
		return ResponseEntity.status(HttpStatus.CREATED).body(tags.create(actor, body));
	}

	@Operation(summary = "A tag with its member count (audience:read)")
	@GetMapping("/tags/{id}")
	TagManagement.TagView get(@AuthenticationPrincipal Actor actor, @PathVariable UUID id) {
		return tags.get(actor, id);
	}

	@Operation(summary = "Change a tag's description, or a rule tag's rule (re-evaluated over everyone at once) (head office)")
	@PutMapping("/tags/{id}")
	TagManagement.RuleResult update(@AuthenticationPrincipal Actor actor, @PathVariable UUID id,
			@RequestBody TagManagement.TagBody body) {
		return tags.update(actor, id, body);
	}

	@Operation(summary = "Delete a tag and every assignment of it (head office); 409 tag-in-use when a segment names it")
	@DeleteMapping("/tags/{id}")
	ResponseEntity<Void> delete(@AuthenticationPrincipal Actor actor, @PathVariable UUID id) {
		tags.delete(actor, id);
		return ResponseEntity.noContent().build();
	}

	@Operation(summary = "The customers carrying a tag, within your stores; cursor paged")
	@GetMapping("/tags/{id}/customers")
	CursorPage<Tags.Member> members(@AuthenticationPrincipal Actor actor, @PathVariable UUID id,
			@RequestParam(required = false) UUID after, @RequestParam(required = false) Integer limit) {
		return tags.members(actor, id, after, CursorPage.limit(limit));
	}

	@Operation(summary = "Tag a customer by hand (created as a manual tag if new); 201 when added, 200 when carried already",
			description = "Staff tag the customers of their own stores (audience:write). A rule tag is 409 rule-tag.")
	@PostMapping("/customers/{customerId}/tags")
	ResponseEntity<Map<String, Object>> assign(@AuthenticationPrincipal Actor actor, @PathVariable CustomerId customerId,
			@RequestBody AssignBody body) {
		boolean added = tags.assign(actor, customerId, body.tag());
		return ResponseEntity.status(added ? HttpStatus.CREATED : HttpStatus.OK)
			.body(Map.of("customerId", customerId, "tag", TagManagement.name(body.tag()), "added", added));
	}

	@Operation(summary = "Remove a manual or imported tag from a customer")
	@DeleteMapping("/customers/{customerId}/tags/{tagId}")
	ResponseEntity<Void> unassign(@AuthenticationPrincipal Actor actor, @PathVariable CustomerId customerId,
			@PathVariable UUID tagId) {
		if (!tags.unassign(actor, customerId, tagId)) {
			throw ApiException.notFound("not-found", "The customer does not carry this tag");
		}
		return ResponseEntity.noContent().build();
	}

	@Operation(summary = "Import tags from CSV (text/csv, UTF-8, at most 5 MB): columns customer_external_id (or customer_id) and tag",
			description = "Each row is checked on its own; refused rows are listed with their line. Tags are created as "
					+ "manual tags when new; rule tags cannot be imported.")
	@PostMapping(path = "/tags/import", consumes = "text/csv")
	TagManagement.ImportResult importCsv(@AuthenticationPrincipal Actor actor, HttpServletRequest request)
			throws IOException {
		byte[] bytes;
		try (InputStream in = request.getInputStream()) {
			bytes = in.readNBytes(MAX_CSV_BYTES + 1);
		}
		if (bytes.length > MAX_CSV_BYTES) {
			throw new ApiException(HttpStatus.CONTENT_TOO_LARGE, "body-too-large",
					"A tag import is at most " + MAX_CSV_BYTES + " bytes; split the file");
		}
		return tags.importCsv(actor, new String(bytes, StandardCharsets.UTF_8));
	}
}
