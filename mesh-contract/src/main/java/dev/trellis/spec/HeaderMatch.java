package dev.trellis.spec;

/**
 * A condition on one request header; exactly one of exact, prefix, regex and present is set.
 * Header names are compared case-insensitively.
 */
public record HeaderMatch(String name, String exact, String prefix, String regex, Boolean present) {

    public static HeaderMatch exact(String name, String value) {
        return new HeaderMatch(name, value, null, null, null);
    }

    public static HeaderMatch prefix(String name, String value) {
        return new HeaderMatch(name, null, value, null, null);
    }

    public static HeaderMatch regex(String name, String pattern) {
        return new HeaderMatch(name, null, null, pattern, null);
    }

    public static HeaderMatch present(String name) {
        return new HeaderMatch(name, null, null, null, true);
    }
}
