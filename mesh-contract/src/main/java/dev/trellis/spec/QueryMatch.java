package dev.trellis.spec;

/** A condition on one query parameter; exactly one of exact, regex and present is set. */
public record QueryMatch(String name, String exact, String regex, Boolean present) {

    public static QueryMatch exact(String name, String value) {
        return new QueryMatch(name, value, null, null);
    }

    public static QueryMatch present(String name) {
        return new QueryMatch(name, null, null, true);
    }
}
