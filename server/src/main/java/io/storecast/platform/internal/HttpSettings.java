package io.storecast.platform.internal;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * HTTP edge limits.
 *
 * @param maxBodySize the largest request body accepted on the JSON API; larger ones get 413
 */
@ConfigurationProperties("storecast.http")
public record HttpSettings(@DefaultValue("1MB") DataSize maxBodySize) {
}
