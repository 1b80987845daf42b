package io.storecast.identity.internal;

import java.io.IOException;
import java.util.List;
import java.util.Set;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.web.filter.OncePerRequestFilter;

import io.storecast.identity.Actor;
import io.storecast.platform.ApiException;
import io.storecast.platform.ProblemResponses;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Authentication for the whole HTTP API, in one filter: a bearer access token or an API key
 * becomes an {@link Actor}; anything without one, apart from the public endpoints, gets 401.
 * What an actor may do with data is decided by {@link io.storecast.identity.AccessPolicy}.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

	static final String[] PUBLIC = { "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/visitors/tokens",
			"/actuator/health", "/actuator/health/**", "/actuator/info", "/actuator/prometheus", "/v3/api-docs",
			"/v3/api-docs/**", "/v3/api-docs.yaml", "/swagger-ui.html", "/swagger-ui/**", "/error", "/favicon.ico",
			"/sdk/**",
			// inbound webhooks authenticate themselves with a signature over the raw body
			"/api/v1/webhooks/inbound/**",
			// signed file links carry their own proof (see messaging FileLinks)
			"/api/v1/files/**",
			// one-click unsubscribe links carry their own signature (see audience UnsubscribeLinks)
			"/api/v1/unsubscribe/**",
			// campaigns' tracked links carry their own signature (see campaigns TrackedLinks)
			"/l/**" };

	/** What a staff member who must change their password may still call. */
	static final Set<String> ALLOWED_BEFORE_PASSWORD_CHANGE = Set.of("/api/v1/auth/password", "/api/v1/auth/logout",
			"/api/v1/me");

	/**
	 * No observation around each security filter: the property
	 * {@code management.observations.enable.spring.security=false} only makes them no-ops, and the
	 * wrapping alone still cost about 5 % of a coupon claim's CPU (bench {@code coupon-claim-storm}).
	 * HTTP request metrics ({@code http.server.requests}) are kept.
	 */
	@Bean
	static SecurityObservationSettings securityObservationSettings() {
		return SecurityObservationSettings.noObservations();
	}

	@Bean
	SecurityFilterChain apiSecurity(HttpSecurity http, Authenticating authenticating, ProblemResponses problems)
			throws Exception {
		http.csrf(AbstractHttpConfigurer::disable)
			.formLogin(AbstractHttpConfigurer::disable)
			.httpBasic(AbstractHttpConfigurer::disable)
			.logout(AbstractHttpConfigurer::disable)
			.requestCache(AbstractHttpConfigurer::disable)
			.sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
			.authorizeHttpRequests(a -> a.requestMatchers(PUBLIC).permitAll().anyRequest().authenticated())
			.exceptionHandling(e -> e
				.authenticationEntryPoint((request, response, ex) -> problems.write(request, response,
						ApiException.unauthorized("unauthenticated",
								"Authentication required: send 'Authorization: Bearer <access token>' or 'X-Api-Key: <key>'")))
				.accessDeniedHandler((request, response, ex) -> problems.write(request, response,
						ApiException.forbidden("forbidden", "You may not do this"))))
			.addFilterBefore(new TokenFilter(authenticating, problems), AnonymousAuthenticationFilter.class);
		return http.build();
	}

	/** Reads the credential, resolves the actor, and refuses early what must be refused early. */
	static final class TokenFilter extends OncePerRequestFilter {

		private final Authenticating authenticating;
		private final ProblemResponses problems;

		TokenFilter(Authenticating authenticating, ProblemResponses problems) {
			this.authenticating = authenticating;
			this.problems = problems;
		}

		@Override
		protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
				throws ServletException, IOException {
			String credential = credential(request);
			if (credential == null) {
				chain.doFilter(request, response);
				return;
			}
			Actor actor;
			try {
				actor = authenticating.authenticate(credential);
			}
			catch (ApiException e) {
				problems.write(request, response, e);
				return;
			}
			if (actor instanceof Actor.Staff staff && staff.passwordChangeRequired()
					&& !ALLOWED_BEFORE_PASSWORD_CHANGE.contains(request.getRequestURI())) {
				problems.write(request, response, new ApiException(HttpStatus.FORBIDDEN, "password-change-required",
						"Change your password at POST /api/v1/auth/password before doing anything else"));
				return;
			}
			SecurityContextHolder.getContext().setAuthentication(new ActorAuthentication(actor));
			try {
				chain.doFilter(request, response);
			}
			finally {
				SecurityContextHolder.clearContext();
			}
		}

		private static String credential(HttpServletRequest request) {
			String header = request.getHeader(HttpHeaders.AUTHORIZATION);
			if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
				return header.substring(7).trim();
			}
			String apiKey = request.getHeader("X-Api-Key");
			return apiKey == null ? null : apiKey.trim();
		}
	}

	/** The authenticated actor as Spring Security sees it; controllers take it with {@code @AuthenticationPrincipal}. */
	static final class ActorAuthentication extends AbstractAuthenticationToken {

		private final Actor actor;

		ActorAuthentication(Actor actor) {
			super(List.of(new SimpleGrantedAuthority(switch (actor) {
				case Actor.Staff s -> "ROLE_" + s.role().name();
				case Actor.Customer c -> "ROLE_CUSTOMER";
				case Actor.Visitor v -> "ROLE_VISITOR";
				case Actor.ApiClient k -> "ROLE_API_CLIENT";
			})));
			this.actor = actor;
			setAuthenticated(true);
		}

		@Override
		public Object getCredentials() {
			return "";
		}

		@Override
		public Object getPrincipal() {
			return actor;
		}
	}
}
