package io.storecast.audience.internal;

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

import io.storecast.audience.SegmentSnapshot;
import io.storecast.identity.Actor;
import io.storecast.identity.OrgNodeId;
import io.storecast.platform.CursorPage;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import tools.jackson.databind.JsonNode;

/** Segments: condition trees over profiles, tags, subscriptions, org, purchases and engagement, evaluated as one query. */
@Tag(name = "Audience: segments", description = "Segments, previews, counts and snapshots (docs/audience.md)")
@RestController
@RequestMapping("/api/v1/audience")
class SegmentController {

	record PreviewBody(@Nullable JsonNode condition) {
	}

	record SnapshotBody(@Nullable String key, @Nullable OrgNodeId scope) {
	}

	private final SegmentManagement segments;

	SegmentController(SegmentManagement segments) {
		this.segments = segments;
	}

	@Operation(summary = "Every segment (audience:read)")
	@GetMapping("/segments")
	List<SegmentManagement.SegmentView> list(@AuthenticationPrincipal Actor actor) {
		return segments.list(actor);
	}

	@Operation(summary = "Create a segment (head office): name, description, condition",
			description = "Unknown fields or operators, unknown tags, org nodes or segments, a reference cycle: 400 "
					+ "naming the part (e.g. condition.all[1].op); nothing is saved.")
	@PostMapping("/segments")
	ResponseEntity<SegmentManagement.SegmentView> create(@AuthenticationPrincipal Actor actor,
			@RequestBody SegmentManagement.SegmentBody body) {
		return ResponseEntity.status(HttpStatus.CREATED).body(segments.create(actor, body));
	}

	@Operation(summary = "A segment (audience:read)")
	@GetMapping("/segments/{id}")
	SegmentManagement.SegmentView get(@AuthenticationPrincipal Actor actor, @PathVariable UUID id) {
		return segments.get(actor, id);
	}

	@Operation(summary = "Change a segment's name, description or condition (head office); checked as on create")
	@PutMapping("/segments/{id}")
	SegmentManagement.SegmentView update(@AuthenticationPrincipal Actor actor, @PathVariable UUID id,
			@RequestBody SegmentManagement.SegmentBody body) {
		return segments.update(actor, id, body);
	}

	@Operation(summary = "Delete a segment (head office); 409 segment-in-use when another segment refers to it or a campaign is still listing its recipients from it")
	@DeleteMapping("/segments/{id}")
	ResponseEntity<Void> delete(@AuthenticationPrincipal Actor actor, @PathVariable UUID id) {
		segments.delete(actor, id);
		return ResponseEntity.noContent().build();
	}

	@Operation(summary = "Count and a sample of 20 for a condition, without saving it (audience:read; within your stores)")
	@PostMapping("/segments/preview")
	SegmentManagement.Preview preview(@AuthenticationPrincipal Actor actor, @RequestBody PreviewBody body) {
		return segments.preview(actor, body.condition());
	}

	@Operation(summary = "Count and a sample of 20 of a segment now (audience:read; within your stores)")
	@GetMapping("/segments/{id}/preview")
	SegmentManagement.Preview previewSaved(@AuthenticationPrincipal Actor actor, @PathVariable UUID id) {
		return segments.preview(actor, id);
	}

	@Operation(summary = "How many customers are in the segment now (audience:read; within your stores)")
	@GetMapping("/segments/{id}/count")
	Map<String, Object> count(@AuthenticationPrincipal Actor actor, @PathVariable UUID id) {
		long started = System.nanoTime();
		long count = segments.count(actor, id);
		return Map.of("segmentId", id, "count", count, "millis", (System.nanoTime() - started) / 1_000_000);
	}

	@Operation(summary = "EXPLAIN (ANALYZE, BUFFERS) of the segment's count query (head office): why a segment is slow")
	@GetMapping("/segments/{id}/explain")
	Map<String, Object> explain(@AuthenticationPrincipal Actor actor, @PathVariable UUID id) {
		return Map.of("segmentId", id, "plan", segments.explain(actor, id));
	}

	@Operation(summary = "Fix the segment's members now under a key (a campaign id); the same key returns the same snapshot",
			description = "scope: only customers of stores under this org node (staff below the head office: their own node).")
	@PostMapping("/segments/{id}/snapshots")
	ResponseEntity<SegmentSnapshot> snapshot(@AuthenticationPrincipal Actor actor, @PathVariable UUID id,
			@RequestBody SnapshotBody body) {
		return ResponseEntity.status(HttpStatus.CREATED).body(segments.snapshot(actor, id, body.key(), body.scope()));
	}

	@Operation(summary = "A snapshot (audience:read)")
	@GetMapping("/snapshots/{id}")
	SegmentSnapshot getSnapshot(@AuthenticationPrincipal Actor actor, @PathVariable UUID id) {
		return segments.snapshotView(actor, id);
	}

	@Operation(summary = "A snapshot's members (customer ids) in id order; cursor paged, up to 200 a page")
	@GetMapping("/snapshots/{id}/members")
	CursorPage<UUID> members(@AuthenticationPrincipal Actor actor, @PathVariable UUID id,
			@RequestParam(required = false) UUID after, @RequestParam(required = false) Integer limit) {
		int n = CursorPage.limit(limit);
		return CursorPage.of(segments.snapshotMembers(actor, id, after, n + 1), n, UUID::toString);
	}
}
