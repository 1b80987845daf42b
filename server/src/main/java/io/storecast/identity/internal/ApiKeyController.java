package io.storecast.identity.internal;

import java.util.List;
import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.identity.Actor;
import io.storecast.identity.ApiScope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

@Tag(name = "API keys", description = "Keys for the merchant's backend (owner only)")
@RestController
@RequestMapping("/api/v1/api-keys")
class ApiKeyController {

	record CreateKey(@NotBlank @Size(max = 100) String name,
			@NotEmpty @Size(max = 20) List<@NotNull ApiScope> scopes) {
	}

	private final ApiKeyManagement keys;

	ApiKeyController(ApiKeyManagement keys) {
		this.keys = keys;
	}

	@Operation(summary = "Create a key; the full key is in this answer only",
			description = "Scopes: org:read, customers:read, customers:write, customers:token.")
	@PostMapping
	@ResponseStatus(HttpStatus.CREATED)
	ApiKeyManagement.ApiKeyView create(@AuthenticationPrincipal Actor actor, @Valid @RequestBody CreateKey request) {
		return keys.create(actor, request.name(), request.scopes());
	}

	@GetMapping
	List<ApiKeyManagement.ApiKeyView> list(@AuthenticationPrincipal Actor actor) {
		return keys.list(actor);
	}

	@Operation(summary = "Revoke a key: refused from the next request on")
	@DeleteMapping("/{id}")
	@ResponseStatus(HttpStatus.NO_CONTENT)
	void revoke(@AuthenticationPrincipal Actor actor, @PathVariable UUID id) {
		keys.revoke(actor, id);
	}
}
