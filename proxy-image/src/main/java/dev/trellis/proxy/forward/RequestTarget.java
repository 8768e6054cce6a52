package dev.trellis.proxy.forward;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Where a request goes, from its request target (RFC 9112 3.2): origin form
 * ({@code /path?query}, authority from Host) or absolute form
 * ({@code http://host:port/path?query}, as sent to an HTTP proxy).
 *
 * @param authority host[:port] the request names, or null when it names none
 * @param path the path, without query
 * @param rawQuery the query without '?', or null
 * @param absolute whether the request used absolute form (it is rewritten to origin form upstream)
 */
public record RequestTarget(String authority, String path, String rawQuery, boolean absolute) {

    /** @return the target, or null when the request target is malformed */
    public static RequestTarget parse(HttpRequest request) {
        String uri = request.uri();
        if (uri.isEmpty()) {
            return null;
        }
        if (uri.charAt(0) == '/') {
            return split(request.headers().get(HttpHeaderNames.HOST), uri, false);
        }
        if ("*".equals(uri)) {
            return new RequestTarget(request.headers().get(HttpHeaderNames.HOST), "*", null, false);
        }
        int scheme = uri.indexOf("://");
        if (scheme <= 0 || !(uri.regionMatches(true, 0, "http", 0, scheme) || uri.regionMatches(true, 0, "https", 0, scheme))) {
            return null;
        }
        int start = scheme + 3;
        int end = start;
        while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?' && uri.charAt(end) != '#') {
            end++;
        }
        String authority = uri.substring(start, end);
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            authority = authority.substring(at + 1);
        }
        if (authority.isEmpty()) {
            return null;
        }
        String rest = end < uri.length() ? uri.substring(end) : "/";
        if (rest.charAt(0) == '?') {
            rest = "/" + rest;
        }
        return split(authority, rest, true);
    }

    private static RequestTarget split(String authority, String originForm, boolean absolute) {
        int fragment = originForm.indexOf('#');
        if (fragment >= 0) {
            originForm = originForm.substring(0, fragment);
        }
        int question = originForm.indexOf('?');
        return question < 0
                ? new RequestTarget(authority, originForm, null, absolute)
                : new RequestTarget(authority, originForm.substring(0, question), originForm.substring(question + 1), absolute);
    }

    /** The target in origin form, as sent upstream. */
    public String originForm() {
        return rawQuery == null ? path : path + "?" + rawQuery;
    }
}
