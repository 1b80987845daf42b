package io.storecast.platform.internal;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.web.cors.CorsUtils;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Spring MVC's request mapping, remembering which mapping answered a request of the same shape.
 * <p>
 * For a path with a variable in it ({@code /api/v1/coupon-templates/{id}/claims}) Spring tries
 * every one of the ~200 mappings in turn — method, headers, media types, then the pattern — which
 * cost about a tenth of the server's CPU of a coupon claim (bench {@code coupon-claim-storm}, JFR).
 * Here the mapping found for a request is remembered under its method, its path with ids blanked
 * out (a UUID segment can only ever match a variable: no mapping has a literal id or a
 * regex-constrained variable), its content type and its {@code Accept} header; the next request of
 * that shape is checked against that one mapping with the same conditions Spring checks, and falls
 * back to the full search if it does not match. CORS preflights and mappings with parameter or
 * header conditions always take the full search.
 */
final class RememberingHandlerMapping extends RequestMappingHandlerMapping {

	/** Shapes seen beyond this are forgotten all at once; the hot ones come back on first use. */
	static final int MAX_SHAPES = 4096;

	private record Shape(String method, String path, @Nullable String contentType, @Nullable String accept) {
	}

	private record Found(RequestMappingInfo mapping, HandlerMethod handler) {
	}

	private final Map<Shape, Found> remembered = new ConcurrentHashMap<>();
	private volatile @Nullable Map<HandlerMethod, RequestMappingInfo> mappingOf;

	@Override
	protected @Nullable HandlerMethod lookupHandlerMethod(String lookupPath, HttpServletRequest request)
			throws Exception {
		if (CorsUtils.isPreFlightRequest(request)) {
			return super.lookupHandlerMethod(lookupPath, request);
		}
		Shape shape = new Shape(request.getMethod(), blankIds(lookupPath), withoutParameters(request.getContentType()),
				request.getHeader(HttpHeaders.ACCEPT));
		Found found = remembered.get(shape);
		if (found != null) {
			RequestMappingInfo match = getMatchingMapping(found.mapping(), request);
			if (match != null) {
				request.setAttribute(BEST_MATCHING_HANDLER_ATTRIBUTE, found.handler());
				handleMatch(match, lookupPath, request);
				return found.handler();
			}
		}
		HandlerMethod handler = super.lookupHandlerMethod(lookupPath, request);
		if (handler != null) {
			RequestMappingInfo mapping = mappingOf().get(handler);
			if (mapping != null && mapping.getParamsCondition().isEmpty() && mapping.getHeadersCondition().isEmpty()) {
				if (remembered.size() >= MAX_SHAPES) {
					remembered.clear();
				}
				remembered.put(shape, new Found(mapping, handler));
			}
		}
		return handler;
	}

	private Map<HandlerMethod, RequestMappingInfo> mappingOf() {
		Map<HandlerMethod, RequestMappingInfo> m = mappingOf;
		if (m == null) {
			// the registered handler methods are the very instances a lookup returns
			m = new IdentityHashMap<>();
			for (Map.Entry<RequestMappingInfo, HandlerMethod> e : getHandlerMethods().entrySet()) {
				m.put(e.getValue(), e.getKey());
			}
			mappingOf = m;
		}
		return m;
	}

	/** {@code /a/0d9c…-…/b} → {@code /a/{}/b} for every segment that is a UUID. */
	static String blankIds(String path) {
		StringBuilder out = null;
		int start = 0;
		for (int i = 0; i <= path.length(); i++) {
			if (i == path.length() || path.charAt(i) == '/') {
				if (isUuid(path, start, i)) {
					if (out == null) {
						out = new StringBuilder(path.length()).append(path, 0, start);
					}
					out.append("{}");
				}
				else if (out != null) {
					out.append(path, start, i);
				}
				if (out != null && i < path.length()) {
					out.append('/');
				}
				start = i + 1;
			}
		}
		return out == null ? path : out.toString();
	}

	private static boolean isUuid(String s, int from, int to) {
		if (to - from != 36) {
			return false;
		}
		for (int i = from; i < to; i++) {
			char c = s.charAt(i);
			int at = i - from;
			boolean dash = at == 8 || at == 13 || at == 18 || at == 23;
			if (dash ? c != '-' : Character.digit(c, 16) < 0) {
				return false;
			}
		}
		return true;
	}

	private static @Nullable String withoutParameters(@Nullable String contentType) {
		if (contentType == null) {
			return null;
		}
		int semicolon = contentType.indexOf(';');
		return semicolon < 0 ? contentType : contentType.substring(0, semicolon);
	}
}
