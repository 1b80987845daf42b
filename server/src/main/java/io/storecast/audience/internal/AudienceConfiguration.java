package io.storecast.audience.internal;

import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The periodic refresh of rule tags needs scheduling (it may be on already; declaring it twice is harmless). */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class AudienceConfiguration {
}
