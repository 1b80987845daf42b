package io.storecast.orders.internal;

import java.util.ArrayList;
import java.util.List;

import org.springframework.http.HttpStatus;

import io.storecast.platform.ApiException;
import io.storecast.platform.ApiException.FieldProblem;

/** Collects every bad field of a request, so that one answer lists them all. */
final class Problems {

	private final List<FieldProblem> found = new ArrayList<>();

	void add(String field, String message) {
		found.add(new FieldProblem(field, message));
	}

	boolean isEmpty() {
		return found.isEmpty();
	}

	/** Throws a 400 with {@code code} listing every problem found, if any. */
	void throwIfAny(String code) {
		if (!found.isEmpty()) {
			throw new ApiException(HttpStatus.BAD_REQUEST, code, summary(found), found, null);
		}
	}

	/** The same failure with every field named under {@code prefix} ({@code "data."}: the webhook's payload). */
	static ApiException prefixed(ApiException e, String prefix) {
		if (e.fieldProblems().isEmpty()) {
			return e;
		}
		List<FieldProblem> moved = e.fieldProblems()
			.stream()
			.map(p -> new FieldProblem(p.field().isEmpty() ? prefix.substring(0, prefix.length() - 1) : prefix + p.field(),
					p.message()))
			.toList();
		String detail = e.status() == HttpStatus.BAD_REQUEST && e.getMessage() != null
				&& e.getMessage().startsWith("Invalid request: ") ? summary(moved) : e.getMessage();
		return new ApiException(e.status(), e.code(), detail, moved, e.retryAfter());
	}

	private static String summary(List<FieldProblem> problems) {
		return "Invalid request: "
				+ String.join("; ", problems.stream().map(p -> p.field() + " " + p.message()).toList());
	}
}
