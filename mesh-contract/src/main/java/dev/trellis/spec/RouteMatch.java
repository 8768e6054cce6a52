package dev.trellis.spec;

import java.util.List;

/**
 * Which requests a route takes. At most one of {@code pathPrefix}, {@code path} and
 * {@code pathRegex}; no path condition means every path. Every listed condition must hold.
 *
 * @param pathPrefix the path starts with this
 * @param path the path (without query) equals this
 * @param pathRegex the whole path matches this Java regular expression
 * @param headers conditions on headers
 * @param methods the request method is one of these; empty means any
 * @param query conditions on query parameters
 */
public record RouteMatch(
        String pathPrefix, String path, String pathRegex,
        List<HeaderMatch> headers, List<String> methods, List<QueryMatch> query) {

    /** Every request. */
    public static final RouteMatch ANY = new RouteMatch("/", null, null, null, null, null);

    public RouteMatch {
        headers = headers != null ? List.copyOf(headers) : List.of();
        methods = methods != null ? List.copyOf(methods) : List.of();
        query = query != null ? List.copyOf(query) : List.of();
    }

    public static RouteMatch pathPrefix(String prefix) {
        return new RouteMatch(prefix, null, null, null, null, null);
    }

    public static RouteMatch path(String exact) {
        return new RouteMatch(null, exact, null, null, null, null);
    }

    public static RouteMatch pathRegex(String regex) {
        return new RouteMatch(null, null, regex, null, null, null);
    }

    public RouteMatch withHeaders(List<HeaderMatch> newHeaders) {
        return new RouteMatch(pathPrefix, path, pathRegex, newHeaders, methods, query);
    }

    public RouteMatch withMethods(List<String> newMethods) {
        return new RouteMatch(pathPrefix, path, pathRegex, headers, newMethods, query);
    }

    public RouteMatch withQuery(List<QueryMatch> newQuery) {
        return new RouteMatch(pathPrefix, path, pathRegex, headers, methods, newQuery);
    }
}
