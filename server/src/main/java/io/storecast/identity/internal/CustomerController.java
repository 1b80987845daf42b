package io.storecast.identity.internal;

import java.time.LocalDate;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.identity.Actor;
import io.storecast.identity.CustomerId;
import io.storecast.identity.CustomerProfile;
import io.storecast.identity.OrgNodeId;
import io.storecast.platform.CursorPage;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

@Tag(name = "Customers", description = "Customers (members) and customer tokens")
@RestController
@RequestMapping("/api/v1/customers")
class CustomerController {

	static final String LEVEL = "[A-Za-z0-9_-]{1,32}";

	record CustomerBody(@Nullable @Size(max = 32) String phone, @Nullable @Size(min = 1, max = 64) String nickname,
			@Nullable OrgNodeId homeStoreId,
			@Nullable @Pattern(regexp = LEVEL, message = "must be 1-32 letters, digits, _ or -") String memberLevel,
			@Nullable LocalDate birthday, @Nullable String locale) {

		CustomerManagement.CustomerFields fields() {
			return new CustomerManagement.CustomerFields(phone, nickname, homeStoreId, memberLevel, birthday, locale);
		}
	}

	record TokenRequest(@NotBlank @Size(max = 128) String externalId, @Nullable @Valid CustomerBody profile) {
	}

	record TokenResponse(CustomerId customerId, boolean customerCreated, String accessToken, String tokenType,
			long expiresIn, String refreshToken, java.time.Instant refreshExpiresAt) {
	}

	private final CustomerManagement customers;

	CustomerController(CustomerManagement customers) {
		this.customers = customers;
	}

	@Operation(summary = "Mint a token for a customer (API key with customers:token)",
			description = "Called server-to-server by the merchant's backend. A new externalId creates the customer from `profile`.")
	@PostMapping("/tokens")
	ResponseEntity<TokenResponse> mintToken(@AuthenticationPrincipal Actor actor,
			@Valid @RequestBody TokenRequest request, HttpServletRequest http) {
		var minted = customers.mintToken(actor, request.externalId(),
				request.profile() == null ? null : request.profile().fields(), http.getRemoteAddr());
		TokenPair t = minted.tokens();
		return ResponseEntity.status(minted.created() ? HttpStatus.CREATED : HttpStatus.OK)
			.body(new TokenResponse(minted.customerId(), minted.created(), t.accessToken(), t.tokenType(),
					t.expiresIn(), t.refreshToken(), t.refreshExpiresAt()));
	}

	@Operation(summary = "Create or replace a customer by the merchant's external id (every field is replaced)")
	@PutMapping("/external/{externalId}")
	CustomerProfile upsert(@AuthenticationPrincipal Actor actor, @PathVariable String externalId,
			@Valid @RequestBody CustomerBody body) {
		return customers.upsert(actor, externalId, body.fields());
	}

	@GetMapping("/external/{externalId}")
	CustomerProfile getByExternalId(@AuthenticationPrincipal Actor actor, @PathVariable String externalId) {
		return customers.getByExternalId(actor, externalId);
	}

	@Operation(summary = "Customers in your part of the organisation; filter by home store or phone; cursor paged")
	@GetMapping
	CursorPage<CustomerProfile> list(@AuthenticationPrincipal Actor actor,
			@RequestParam(required = false) OrgNodeId storeId, @RequestParam(required = false) String phone,
			@RequestParam(required = false) UUID after, @RequestParam(required = false) Integer limit) {
		return customers.list(actor, storeId, phone, after, CursorPage.limit(limit));
	}

	@GetMapping("/{id}")
	CustomerProfile get(@AuthenticationPrincipal Actor actor, @PathVariable CustomerId id) {
		return customers.get(actor, id);
	}

	@Operation(summary = "Change some of a customer's fields (absent fields stay)")
	@PatchMapping("/{id}")
	CustomerProfile patch(@AuthenticationPrincipal Actor actor, @PathVariable CustomerId id,
			@Valid @RequestBody CustomerBody body) {
		return customers.patch(actor, id, body.fields());
	}
}
