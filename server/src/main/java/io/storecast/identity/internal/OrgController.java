package io.storecast.identity.internal;

import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.identity.Actor;
import io.storecast.identity.OpeningHours;
import io.storecast.identity.OrgNode;
import io.storecast.identity.OrgNodeId;
import io.storecast.identity.OrgNodeKind;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

@Tag(name = "Organisation", description = "Head office, regions and stores")
@RestController
@RequestMapping("/api/v1/org/nodes")
class OrgController {

	static final String CODE = "[A-Za-z0-9][A-Za-z0-9_-]{0,31}";

	record CreateNode(@NotNull OrgNodeId parentId, @NotNull OrgNodeKind kind,
			@NotBlank @Pattern(regexp = CODE, message = "must be 1-32 letters, digits, _ or -, starting with a letter or digit") String code,
			@NotBlank @Size(max = 100) String name, @Nullable @Size(max = 64) String timeZone,
			@Nullable @Size(max = 64) String city, @Nullable OpeningHours openingHours) {
	}

	record UpdateNode(
			@Nullable @Pattern(regexp = CODE, message = "must be 1-32 letters, digits, _ or -, starting with a letter or digit") String code,
			@Nullable @Size(min = 1, max = 100) String name, @Nullable @Size(max = 64) String timeZone,
			@Nullable @Size(max = 64) String city, @Nullable OpeningHours openingHours) {
	}

	private final OrgManagement org;

	OrgController(OrgManagement org) {
		this.org = org;
	}

	@Operation(summary = "The part of the org tree you can see, parents before children")
	@GetMapping
	List<OrgNode> list(@AuthenticationPrincipal Actor actor) {
		return org.visibleTree(actor);
	}

	@GetMapping("/{id}")
	OrgNode get(@AuthenticationPrincipal Actor actor, @PathVariable OrgNodeId id) {
		return org.get(actor, id);
	}

	@Operation(summary = "Create a region or store under a node you manage")
	@PostMapping
	@ResponseStatus(HttpStatus.CREATED)
	OrgNode create(@AuthenticationPrincipal Actor actor, @Valid @RequestBody CreateNode request) {
		return org.create(actor, new OrgManagement.NewNode(request.parentId(), request.kind(), request.code(),
				request.name(), request.timeZone(), request.city(), request.openingHours()));
	}

	@Operation(summary = "Change a node's code, name, time zone, city or opening hours (absent fields stay)")
	@PatchMapping("/{id}")
	OrgNode update(@AuthenticationPrincipal Actor actor, @PathVariable OrgNodeId id,
			@Valid @RequestBody UpdateNode request) {
		return org.update(actor, id, new OrgManagement.NodeChanges(request.code(), request.name(), request.timeZone(),
				request.city(), request.openingHours()));
	}
}
