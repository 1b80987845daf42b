package io.storecast.platform;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;

/**
 * A failure the caller can act on; rendered as RFC 9457 problem details with a stable {@code code}
 * and, where one input is at fault, the offending {@code field}.
 */
public class ApiException extends RuntimeException {

	private final HttpStatus status;
	private final String code;
	private final List<FieldProblem> fieldProblems;
	private final @Nullable Duration retryAfter;

	public ApiException(HttpStatus status, String code, String detail) {
		this(status, code, detail, List.of(), null);
	}

	public ApiException(HttpStatus status, String code, String detail, List<FieldProblem> fieldProblems,
			@Nullable Duration retryAfter) {
		// an answer to the caller, not a fault to trace: no stack trace, whose filling-in cost more than
		// the rest of a refusal the node decides from memory (a claim storm's sold-out answers)
		super(detail, null, false, false);
		this.status = status;
		this.code = code;
		this.fieldProblems = List.copyOf(fieldProblems);
		this.retryAfter = retryAfter;
	}

	public static ApiException badRequest(String code, String field, String detail) {
		return new ApiException(HttpStatus.BAD_REQUEST, code, detail, List.of(new FieldProblem(field, detail)), null);
	}

	public static ApiException notFound(String code, String detail) {
		return new ApiException(HttpStatus.NOT_FOUND, code, detail);
	}

	public static ApiException conflict(String code, String detail) {
		return new ApiException(HttpStatus.CONFLICT, code, detail);
	}

	public static ApiException forbidden(String code, String detail) {
		return new ApiException(HttpStatus.FORBIDDEN, code, detail);
	}

	public static ApiException unauthorized(String code, String detail) {
		return new ApiException(HttpStatus.UNAUTHORIZED, code, detail);
	}

	public static ApiException tooManyRequests(String code, String detail, Duration retryAfter) {
		return new ApiException(HttpStatus.TOO_MANY_REQUESTS, code, detail, List.of(), retryAfter);
	}

	public HttpStatus status() {
		return status;
	}

	public String code() {
		return code;
	}

	public List<FieldProblem> fieldProblems() {
		return fieldProblems;
	}

	public @Nullable Duration retryAfter() {
		return retryAfter;
	}

	/** One input at fault: its JSON path (or parameter name) and what is wrong with it. */
	public record FieldProblem(String field, String message) {
	}
}
