package io.storecast.audience.internal;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.storecast.identity.Actor;
import io.storecast.identity.CustomerId;
import io.storecast.platform.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

/** Topics customers follow: by themselves (widget, QR link, customer group) or through staff and the merchant's backend. */
@Tag(name = "Audience: subscriptions", description = "Following topics: category:耳饰, tag:新款耳钉, store:SH-NJR")
@RestController
@RequestMapping("/api/v1/audience")
class SubscriptionController {

	record FollowBody(@Nullable String topic, @Nullable String source) {
	}

	private final SubscriptionManagement subscriptions;

	SubscriptionController(SubscriptionManagement subscriptions) {
		this.subscriptions = subscriptions;
	}

	@Operation(summary = "The topics a customer follows (audience:read, or staff of their store)")
	@GetMapping("/customers/{customerId}/subscriptions")
	List<SubscriptionManagement.SubscriptionView> list(@AuthenticationPrincipal Actor actor,
			@PathVariable CustomerId customerId) {
		return subscriptions.list(actor, customerId);
	}

	@Operation(summary = "Follow a topic for a customer (consent:write); source API, STAFF, WIDGET, QR or GROUP",
			description = "201 when new, 200 when followed already. Grants in-app marketing consent when the customer "
					+ "has not said anything about it; never overrides a withdrawal.")
	@PostMapping("/customers/{customerId}/subscriptions")
	ResponseEntity<Map<String, Object>> follow(@AuthenticationPrincipal Actor actor, @PathVariable CustomerId customerId,
			@RequestBody FollowBody body) {
		return answer(subscriptions.follow(actor, customerId, body.topic(), body.source()));
	}

	@Operation(summary = "Unfollow a topic for a customer (consent:write)")
	@DeleteMapping("/customers/{customerId}/subscriptions")
	ResponseEntity<Void> unfollow(@AuthenticationPrincipal Actor actor, @PathVariable CustomerId customerId,
			@RequestParam String topic) {
		subscriptions.unfollow(actor, customerId, topic);
		return ResponseEntity.noContent().build();
	}

	@Operation(summary = "The topics I follow (customer token)")
	@GetMapping("/me/subscriptions")
	List<SubscriptionManagement.SubscriptionView> mine(@AuthenticationPrincipal Actor actor) {
		return subscriptions.list(actor, self(actor));
	}

	@Operation(summary = "Follow a topic myself, from the widget, a QR link or a customer group (customer token)",
			description = "source: WIDGET (default), QR or GROUP.")
	@PostMapping("/me/subscriptions")
	ResponseEntity<Map<String, Object>> followMine(@AuthenticationPrincipal Actor actor, @RequestBody FollowBody body) {
		return answer(subscriptions.follow(actor, self(actor), body.topic(), body.source()));
	}

	@Operation(summary = "Unfollow a topic myself (customer token)")
	@DeleteMapping("/me/subscriptions")
	ResponseEntity<Void> unfollowMine(@AuthenticationPrincipal Actor actor, @RequestParam String topic) {
		subscriptions.unfollow(actor, self(actor), topic);
		return ResponseEntity.noContent().build();
	}

	private static ResponseEntity<Map<String, Object>> answer(boolean added) {
		return ResponseEntity.status(added ? HttpStatus.CREATED : HttpStatus.OK).body(Map.of("added", added));
	}

	static CustomerId self(Actor actor) {
		if (actor instanceof Actor.Customer c) {
			return c.id();
		}
		throw ApiException.forbidden("forbidden", "Only a customer has a 'me' here");
	}
}
