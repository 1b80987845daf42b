package io.storecast.platform.internal;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.i18n.LocaleContextHolder;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.method.ParameterValidationResult;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import io.storecast.platform.ApiException;
import io.storecast.platform.ApiException.FieldProblem;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.ConstraintViolationException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.InvalidNullException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.exc.ValueInstantiationException;

/**
 * Turns every failure into RFC 9457 problem details with a stable {@code code}, the offending
 * fields under {@code errors}, and the request path as {@code instance}.
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

	private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

	@ExceptionHandler(ApiException.class)
	ResponseEntity<ProblemDetail> handleApi(ApiException e, HttpServletRequest request) {
		ProblemDetail body = ProblemBodies.of(e.status(), e.code(), e.getMessage(), e.fieldProblems(), request);
		HttpHeaders headers = new HttpHeaders();
		if (e.retryAfter() != null) {
			headers.set(HttpHeaders.RETRY_AFTER, String.valueOf(Math.max(1, e.retryAfter().toSeconds())));
		}
		return ResponseEntity.status(e.status()).headers(headers).body(body);
	}

	@ExceptionHandler(ConstraintViolationException.class)
	ResponseEntity<ProblemDetail> handleConstraint(ConstraintViolationException e, HttpServletRequest request) {
		List<FieldProblem> problems = e.getConstraintViolations()
			.stream()
			.map(v -> new FieldProblem(lastNode(v.getPropertyPath().toString()), v.getMessage()))
			.toList();
		return ResponseEntity.badRequest()
			.body(ProblemBodies.of(HttpStatus.BAD_REQUEST, "validation-failed", summary(problems), problems, request));
	}

	@ExceptionHandler(DataIntegrityViolationException.class)
	ResponseEntity<ProblemDetail> handleIntegrity(DataIntegrityViolationException e, HttpServletRequest request) {
		// A constraint the service did not check first, e.g. two concurrent creates of one unique name.
		log.debug("Integrity violation", e);
		return ResponseEntity.status(HttpStatus.CONFLICT)
			.body(ProblemBodies.of(HttpStatus.CONFLICT, "conflict",
					"The request conflicts with existing data (a duplicate or a reference to something missing)",
					List.of(), request));
	}

	@ExceptionHandler(Exception.class)
	ResponseEntity<ProblemDetail> handleUnexpected(Exception e, HttpServletRequest request) {
		log.error("Unexpected failure on {} {}", request.getMethod(), request.getRequestURI(), e);
		return ResponseEntity.internalServerError()
			.body(ProblemBodies.of(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error",
					"An unexpected error occurred; it has been logged", List.of(), request));
	}

	@Override
	protected @Nullable ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		List<FieldProblem> problems = new ArrayList<>();
		ex.getBindingResult()
			.getFieldErrors()
			.forEach(f -> problems.add(new FieldProblem(f.getField(), String.valueOf(f.getDefaultMessage()))));
		ex.getBindingResult()
			.getGlobalErrors()
			.forEach(g -> problems.add(new FieldProblem(g.getObjectName(), String.valueOf(g.getDefaultMessage()))));
		return respond(HttpStatus.BAD_REQUEST, "validation-failed", summary(problems), problems, request);
	}

	@Override
	protected @Nullable ResponseEntity<Object> handleHandlerMethodValidationException(
			HandlerMethodValidationException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		List<FieldProblem> problems = new ArrayList<>();
		for (ParameterValidationResult result : ex.getParameterValidationResults()) {
			String name = result.getMethodParameter().getParameterName();
			result.getResolvableErrors()
				.forEach(err -> problems.add(new FieldProblem(String.valueOf(name), String.valueOf(err.getDefaultMessage()))));
		}
		return respond(HttpStatus.BAD_REQUEST, "validation-failed", summary(problems), problems, request);
	}

	@Override
	protected @Nullable ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (t instanceof BodySizeLimitFilter.BodyTooLargeException tooLarge) {
				return respond(HttpStatus.CONTENT_TOO_LARGE, "body-too-large", tooLarge.getMessage(), List.of(),
						request);
			}
		}
		Throwable cause = ex.getCause() == null ? ex : ex.getCause();
		if (cause instanceof UnrecognizedPropertyException unknown) {
			String field = path(unknown);
			return respond(HttpStatus.BAD_REQUEST, "unknown-field", "Unknown field '" + field + "'",
					List.of(new FieldProblem(field, "is not a field of this request")), request);
		}
		if (cause instanceof InvalidFormatException invalid) {
			String field = path(invalid);
			String message = "has an invalid value '" + invalid.getValue() + "'" + allowed(invalid.getTargetType());
			return respond(HttpStatus.BAD_REQUEST, "invalid-value", field + " " + message,
					List.of(new FieldProblem(field, message)), request);
		}
		if (cause instanceof ValueInstantiationException invalid) {
			// a value object refused its input (e.g. opening hours that close before they open)
			String field = path(invalid);
			Throwable root = invalid.getCause() == null ? invalid : invalid.getCause();
			String message = root.getMessage() == null ? "is invalid" : root.getMessage();
			return respond(HttpStatus.BAD_REQUEST, "invalid-value", field + ": " + message,
					List.of(new FieldProblem(field, message)), request);
		}
		if (cause instanceof InvalidNullException nul) {
			String field = path(nul);
			return respond(HttpStatus.BAD_REQUEST, "validation-failed", field + " must not be null",
					List.of(new FieldProblem(field, "must not be null")), request);
		}
		if (cause instanceof MismatchedInputException mismatched && !mismatched.getPath().isEmpty()) {
			String field = path(mismatched);
			String message = "has the wrong type" + (mismatched.getTargetType() == null ? ""
					: ", expected " + simpleType(mismatched.getTargetType()));
			return respond(HttpStatus.BAD_REQUEST, "invalid-value", field + " " + message,
					List.of(new FieldProblem(field, message)), request);
		}
		if (cause instanceof JacksonException jackson && !(cause instanceof StreamReadException)
				&& !jackson.getPath().isEmpty()) {
			String field = path(jackson);
			return respond(HttpStatus.BAD_REQUEST, "invalid-value", field + ": " + jackson.getOriginalMessage(),
					List.of(new FieldProblem(field, jackson.getOriginalMessage())), request);
		}
		String detail = cause instanceof JacksonException jackson
				? "The body is not valid JSON: " + jackson.getOriginalMessage() : "The request body is missing or unreadable";
		return respond(HttpStatus.BAD_REQUEST, "malformed-body", detail, List.of(), request);
	}

	@Override
	protected @Nullable ResponseEntity<Object> handleMaxUploadSizeExceededException(MaxUploadSizeExceededException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		// the servlet container's multipart limit (the largest file of any kind) refused an upload
		String limit = ex.getMaxUploadSize() < 0 ? "the limit" : "the limit of " + ex.getMaxUploadSize() + " bytes";
		return respond(HttpStatus.CONTENT_TOO_LARGE, "file-too-large", "The upload is larger than " + limit,
				List.of(new FieldProblem("file", "is too large")), request);
	}

	@Override
	protected @Nullable ResponseEntity<Object> handleMissingServletRequestParameter(
			MissingServletRequestParameterException ex, HttpHeaders headers, HttpStatusCode status,
			WebRequest request) {
		return respond(HttpStatus.BAD_REQUEST, "missing-parameter", ex.getMessage(),
				List.of(new FieldProblem(ex.getParameterName(), "is required")), request);
	}

	@Override
	protected @Nullable ResponseEntity<Object> handleTypeMismatch(
			org.springframework.beans.TypeMismatchException ex, HttpHeaders headers, HttpStatusCode status,
			WebRequest request) {
		String name = ex instanceof MethodArgumentTypeMismatchException m ? m.getName() : ex.getPropertyName();
		String message = "has an invalid value '" + ex.getValue() + "'";
		return respond(HttpStatus.BAD_REQUEST, "invalid-value", name + " " + message,
				List.of(new FieldProblem(String.valueOf(name), message)), request);
	}

	@Override
	protected ResponseEntity<Object> handleExceptionInternal(Exception ex, @Nullable Object body, HttpHeaders headers,
			HttpStatusCode statusCode, WebRequest request) {
		// Framework-raised errors (404, 405, 415, 406 ...) get our shape and a code derived from the status.
		if (body == null && ex instanceof ErrorResponse error) {
			body = error.updateAndGetBody(getMessageSource(), LocaleContextHolder.getLocale());
		}
		if (body instanceof ProblemDetail problem) {
			if (problem.getProperties() == null || !problem.getProperties().containsKey("code")) {
				problem.setProperty("code", ProblemBodies.codeFor(statusCode));
				problem.setType(ProblemBodies.type(ProblemBodies.codeFor(statusCode)));
			}
			if (request instanceof ServletWebRequest servlet) {
				problem.setInstance(URI.create(servlet.getRequest().getRequestURI()));
			}
		}
		return super.handleExceptionInternal(ex, body, headers, statusCode, request);
	}

	private ResponseEntity<Object> respond(HttpStatus status, String code, String detail, List<FieldProblem> problems,
			WebRequest request) {
		HttpServletRequest servlet = ((ServletWebRequest) request).getRequest();
		return ResponseEntity.status(status).body(ProblemBodies.of(status, code, detail, problems, servlet));
	}

	private static String path(JacksonException e) {
		StringBuilder sb = new StringBuilder();
		for (JacksonException.Reference ref : e.getPath()) {
			if (ref.getPropertyName() != null) {
				if (!sb.isEmpty()) {
					sb.append('.');
				}
				sb.append(ref.getPropertyName());
			}
			else if (ref.getIndex() >= 0) {
				sb.append('[').append(ref.getIndex()).append(']');
			}
		}
		return sb.isEmpty() ? "body" : sb.toString();
	}

	private static String allowed(@Nullable Class<?> type) {
		if (type != null && type.isEnum()) {
			return "; allowed: " + String.join(", ",
					java.util.Arrays.stream(type.getEnumConstants()).map(Object::toString).toList());
		}
		return type == null ? "" : ", expected " + simpleType(type);
	}

	private static String simpleType(Class<?> type) {
		Map<Class<?>, String> names = Map.of(String.class, "a string", Integer.class, "an integer", int.class,
				"an integer", Long.class, "an integer", long.class, "an integer", Boolean.class, "true or false",
				boolean.class, "true or false");
		return names.getOrDefault(type, type.getSimpleName());
	}

	private static String lastNode(String propertyPath) {
		int dot = propertyPath.lastIndexOf('.');
		return dot < 0 ? propertyPath : propertyPath.substring(dot + 1);
	}

	private static String summary(List<FieldProblem> problems) {
		if (problems.isEmpty()) {
			return "The request is invalid";
		}
		return "Invalid request: " + String.join("; ", problems.stream().map(p -> p.field() + " " + p.message()).toList());
	}
}
