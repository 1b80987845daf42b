package io.storecast.platform;

import java.io.IOException;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;

import io.storecast.platform.internal.ProblemBodies;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.json.JsonMapper;

/** Writes problem details from servlet filters, where no MVC exception handler runs. */
@Component
public class ProblemResponses {

	private final JsonMapper json;

	ProblemResponses(JsonMapper json) {
		this.json = json;
	}

	/**
	 * The problem details of a failure answered outside the servlet stack (the gateway's HTTP routes):
	 * the REST API's shape, with {@code path} as the instance.
	 */
	public static ProblemDetail problem(ApiException e, String path) {
		return ProblemBodies.of(e.status(), e.code(), e.getMessage(), e.fieldProblems(), path);
	}

	public void write(HttpServletRequest request, HttpServletResponse response, ApiException e) throws IOException {
		ProblemDetail body = ProblemBodies.of(e.status(), e.code(), e.getMessage(), e.fieldProblems(), request);
		response.setStatus(e.status().value());
		response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		response.setCharacterEncoding("UTF-8");
		if (e.retryAfter() != null) {
			response.setHeader(HttpHeaders.RETRY_AFTER, String.valueOf(Math.max(1, e.retryAfter().toSeconds())));
		}
		json.writeValue(response.getOutputStream(), body);
	}
}
