package io.storecast.messaging.internal;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

import jakarta.servlet.MultipartConfigElement;

/**
 * The servlet container's multipart limits, derived from the upload limits so they cannot disagree;
 * this bean replaces Spring Boot's default (1 MB), which would refuse every video.
 */
@Configuration(proxyBeanMethods = false)
@org.springframework.scheduling.annotation.EnableScheduling
class FilesConfiguration {

	/** Room for the multipart boundaries and part headers around the one file of an upload. */
	static final DataSize MULTIPART_OVERHEAD = DataSize.ofKilobytes(64);

	@Bean
	MultipartConfigElement multipartConfigElement(FileSettings settings) {
		long largest = settings.largest().toBytes();
		// threshold 0: every part goes to a temporary file at once, so a video never sits in memory
		return new MultipartConfigElement("", largest, largest + MULTIPART_OVERHEAD.toBytes(), 0);
	}
}
