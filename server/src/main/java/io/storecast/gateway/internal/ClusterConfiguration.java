package io.storecast.gateway.internal;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import tools.jackson.databind.json.JsonMapper;

/** A single node, or a node of a cluster over Redis when {@code storecast.cluster.redis-url} is set. */
@Configuration(proxyBeanMethods = false)
class ClusterConfiguration {

	@Bean(destroyMethod = "close")
	Cluster cluster(ClusterSettings settings, JsonMapper json) {
		return settings.enabled() ? new RedisCluster(settings, json) : new Cluster.SingleNode();
	}
}
