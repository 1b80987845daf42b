package io.storecast.identity.internal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.springframework.stereotype.Component;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.storecast.platform.ApiException;

/**
 * Token buckets against brute force and abuse: logins per client address, failed logins per
 * account, visitor tokens per client address. Buckets live in this node's memory (bounded).
 */
@Component
class RateLimits {

	private final Limit loginPerIp;
	private final Limit failuresPerAccount;
	private final Limit visitorTokensPerIp;

	RateLimits(IdentitySettings settings) {
		this.loginPerIp = new Limit(settings.loginAttemptsPerIp(), Duration.ofMinutes(1));
		this.failuresPerAccount = new Limit(settings.loginFailuresPerAccount(), settings.loginFailureWindow());
		this.visitorTokensPerIp = new Limit(settings.visitorTokensPerIp(), Duration.ofMinutes(1));
	}

	/** Counts a login attempt from the address; 429 when it has made too many. */
	void loginAttempt(String clientIp) {
		loginPerIp.consume(clientIp, "login-throttled", "Too many login attempts from this address; try again later");
	}

	/** 429 while the account has used up its failed attempts, without spending one. */
	void requireAccountNotLocked(String username) {
		failuresPerAccount.requireAvailable(username.toLowerCase(java.util.Locale.ROOT), "login-throttled",
				"Too many failed logins for this account; try again later");
	}

	void loginFailed(String username) {
		failuresPerAccount.spend(username.toLowerCase(java.util.Locale.ROOT));
	}

	void loginSucceeded(String username) {
		failuresPerAccount.forget(username.toLowerCase(java.util.Locale.ROOT));
	}

	void visitorToken(String clientIp) {
		visitorTokensPerIp.consume(clientIp, "rate-limited",
				"Too many visitor tokens requested from this address; try again later");
	}

	private static final class Limit {

		private final int capacity;
		private final Duration period;
		private final Cache<String, Bucket> buckets;

		Limit(int capacity, Duration period) {
			this.capacity = capacity;
			this.period = period;
			this.buckets = Caffeine.newBuilder()
				.maximumSize(200_000)
				.expireAfterAccess(period.multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS)
				.build();
		}

		private Bucket bucket(String key) {
			return buckets.get(key, k -> Bucket.builder()
				.addLimit(Bandwidth.builder().capacity(capacity).refillIntervally(capacity, period).build())
				.build());
		}

		void consume(String key, String code, String message) {
			ConsumptionProbe probe = bucket(key).tryConsumeAndReturnRemaining(1);
			if (!probe.isConsumed()) {
				throw ApiException.tooManyRequests(code, message, Duration.ofNanos(probe.getNanosToWaitForRefill()));
			}
		}

		void requireAvailable(String key, String code, String message) {
			EstimationProbe estimate = bucket(key).estimateAbilityToConsume(1);
			if (!estimate.canBeConsumed()) {
				throw ApiException.tooManyRequests(code, message, Duration.ofNanos(estimate.getNanosToWaitForRefill()));
			}
		}

		void spend(String key) {
			bucket(key).tryConsume(1);
		}

		void forget(String key) {
			buckets.invalidate(key);
		}
	}
}
