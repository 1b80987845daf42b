package io.storecast.platform.internal;

import java.time.Clock;

import org.springframework.boot.webmvc.autoconfigure.WebMvcRegistrations;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;

/**
 * The clock every module reads time from, and the OpenAPI description's front matter. Async is on
 * so that event listeners between modules ({@code @Async @TransactionalEventListener}, Modulith's
 * {@code @ApplicationModuleListener}) run after the commit on a thread (virtual) of their own, in
 * transactions of their own, instead of inside the publisher's finished transaction.
 */
@Configuration(proxyBeanMethods = false)
@EnableAsync
class PlatformConfiguration {

	@Bean
	Clock clock() {
		return Clock.systemUTC();
	}

	/** Request mapping that remembers which mapping answered a request of the same shape. */
	@Bean
	WebMvcRegistrations rememberingHandlerMapping() {
		return new WebMvcRegistrations() {
			@Override
			public RequestMappingHandlerMapping getRequestMappingHandlerMapping() {
				return new RememberingHandlerMapping();
			}
		};
	}

	@Bean
	OpenAPI storecastOpenApi() {
		return new OpenAPI()
			.info(new Info().title("Storecast API")
				.version("v1")
				.description("""
						REST API of Storecast. Staff log in at /api/v1/auth/login and send \
						`Authorization: Bearer <accessToken>`; the merchant's backend calls with an API key \
						(`X-Api-Key: sck_...`). Errors are RFC 9457 problem details with a stable `code`.""")
				.license(new License().name("Proprietary")))
			.components(new Components()
				.addSecuritySchemes("bearer",
						new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("JWT"))
				.addSecuritySchemes("apiKey",
						new SecurityScheme().type(SecurityScheme.Type.APIKEY).in(SecurityScheme.In.HEADER).name("X-Api-Key")))
			.addSecurityItem(new SecurityRequirement().addList("bearer"))
			.addSecurityItem(new SecurityRequirement().addList("apiKey"));
	}
}
