package io.storecast.gateway.internal;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Cluster mode: several nodes behind one PostgreSQL share live updates, presence and session ends
 * through Redis. Off (a single node) unless {@code redisUrl} is set.
 *
 * @param redisUrl e.g. {@code redis://127.0.0.1:6379}; empty for a single node
 * @param namespace prefix of Storecast's Redis keys and channel, so several installations can share a Redis
 */
@ConfigurationProperties("storecast.cluster")
record ClusterSettings(@Nullable String redisUrl, @DefaultValue("storecast") String namespace) {

	boolean enabled() {
		return redisUrl != null && !redisUrl.isBlank();
	}
}
