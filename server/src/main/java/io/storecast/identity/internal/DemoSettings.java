package io.storecast.identity.internal;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * @param demo load the demo merchant (regions, stores, staff, ~200 customers) at start, once
 */
@ConfigurationProperties("storecast")
record DemoSettings(@DefaultValue("false") boolean demo) {
}
