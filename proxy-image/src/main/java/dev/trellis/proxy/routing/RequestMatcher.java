package dev.trellis.proxy.routing;

import dev.trellis.spec.HeaderMatch;
import dev.trellis.spec.QueryMatch;
import dev.trellis.spec.RouteMatch;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A {@link RouteMatch} compiled once per snapshot: regular expressions are compiled, names
 * lower-cased, and the query string is parsed only by routes that look at it.
 */
public final class RequestMatcher {

    private final String pathPrefix;
    private final String path;
    private final Pattern pathRegex;
    private final String[] methods;
    private final Header[] headers;
    private final Query[] query;

    private RequestMatcher(RouteMatch match) {
        this.pathPrefix = match.pathPrefix();
        this.path = match.path();
        this.pathRegex = match.pathRegex() == null ? null : Pattern.compile(match.pathRegex());
        this.methods = match.methods().stream().map(m -> m.toUpperCase(Locale.ROOT)).toArray(String[]::new);
        this.headers = match.headers().stream().map(Header::new).toArray(Header[]::new);
        this.query = match.query().stream().map(Query::new).toArray(Query[]::new);
    }

    public static RequestMatcher of(RouteMatch match) {
        return new RequestMatcher(match == null ? RouteMatch.ANY : match);
    }

    /**
     * @param request the request head
     * @param requestPath its path, without query, in origin form
     * @param rawQuery its query string without '?', or null
     */
    public boolean matches(HttpRequest request, String requestPath, String rawQuery) {
        if (path != null && !path.equals(requestPath)) {
            return false;
        }
        if (pathPrefix != null && !requestPath.startsWith(pathPrefix)) {
            return false;
        }
        if (pathRegex != null && !pathRegex.matcher(requestPath).matches()) {
            return false;
        }
        if (methods.length > 0 && !methodMatches(request.method().name())) {
            return false;
        }
        HttpHeaders requestHeaders = request.headers();
        for (Header header : headers) {
            if (!header.matches(requestHeaders)) {
                return false;
            }
        }
        if (query.length > 0) {
            Map<String, List<String>> parameters = rawQuery == null ? Map.of()
                    : new QueryStringDecoder(rawQuery, false).parameters();
            for (Query q : query) {
                if (!q.matches(parameters)) {
                    return false;
                }
            }
        }
        return true;
    }

    private boolean methodMatches(String method) {
        for (String m : methods) {
            if (m.equals(method)) {
                return true;
            }
        }
        return false;
    }

    private static final class Header {
        private final String name;
        private final String exact;
        private final String prefix;
        private final Pattern regex;
        private final boolean mustBeAbsent;

        Header(HeaderMatch match) {
            this.name = match.name().toLowerCase(Locale.ROOT);
            this.exact = match.exact();
            this.prefix = match.prefix();
            this.regex = match.regex() == null ? null : Pattern.compile(match.regex());
            this.mustBeAbsent = Boolean.FALSE.equals(match.present());
        }

        boolean matches(HttpHeaders headers) {
            String value = headers.get(name);
            if (value == null) {
                return mustBeAbsent;
            }
            if (mustBeAbsent) {
                return false;
            }
            if (exact != null) {
                return exact.equals(value);
            }
            if (prefix != null) {
                return value.startsWith(prefix);
            }
            return regex == null || regex.matcher(value).matches();
        }
    }

    private static final class Query {
        private final String name;
        private final String exact;
        private final Pattern regex;
        private final boolean mustBeAbsent;

        Query(QueryMatch match) {
            this.name = match.name();
            this.exact = match.exact();
            this.regex = match.regex() == null ? null : Pattern.compile(match.regex());
            this.mustBeAbsent = Boolean.FALSE.equals(match.present());
        }

        boolean matches(Map<String, List<String>> parameters) {
            List<String> values = parameters.get(name);
            if (values == null || values.isEmpty()) {
                return mustBeAbsent;
            }
            if (mustBeAbsent) {
                return false;
            }
            String value = values.get(0);
            if (exact != null) {
                return exact.equals(value);
            }
            return regex == null || regex.matcher(value).matches();
        }
    }
}
