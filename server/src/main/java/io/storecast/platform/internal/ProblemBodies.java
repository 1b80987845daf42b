package io.storecast.platform.internal;

import java.net.URI;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;

import io.storecast.platform.ApiException.FieldProblem;
import jakarta.servlet.http.HttpServletRequest;

/** Builds the one problem-details shape used by MVC handlers and by the servlet filters alike. */
public final class ProblemBodies {

	private ProblemBodies() {
	}

	public static ProblemDetail of(HttpStatusCode status, String code, String detail, List<FieldProblem> fieldProblems,
			HttpServletRequest request) {
		return of(status, code, detail, fieldProblems, request.getRequestURI());
	}

	/** The same shape for a request that did not come through the servlet stack (the gateway's port). */
	public static ProblemDetail of(HttpStatusCode status, String code, String detail, List<FieldProblem> fieldProblems,
			String path) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setType(type(code));
		problem.setInstance(URI.create(path));
		problem.setProperty("code", code);
		if (!fieldProblems.isEmpty()) {
			problem.setProperty("errors",
					fieldProblems.stream().map(p -> Map.of("field", p.field(), "message", p.message())).toList());
		}
		return problem;
	}

	static URI type(String code) {
		return URI.create("urn:storecast:problem:" + code);
	}

	static String codeFor(HttpStatusCode status) {
		HttpStatus known = HttpStatus.resolve(status.value());
		return known == null ? "error" : known.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
	}
}
