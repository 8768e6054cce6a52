package dev.trellis.cloudmap.internal;

/**
 * Formats one log line as {@code key=value} pairs, quoting values with spaces, quotes or '=', so
 * every registration change is one greppable, machine-parsable line.
 */
public final class KeyValueLine {

    private KeyValueLine() {
    }

    /** {@code keysAndValues} alternate: key, value, key, value...; {@code null} values are left out. */
    public static String of(Object... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keysAndValues: " + keysAndValues.length + " items (expected: pairs)");
        }
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            Object value = keysAndValues[i + 1];
            if (value == null) {
                continue;
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(keysAndValues[i]).append('=').append(quoteIfNeeded(value.toString()));
        }
        return line.toString();
    }

    static String quoteIfNeeded(String value) {
        if (!value.isEmpty() && value.chars().noneMatch(c -> c == ' ' || c == '"' || c == '=' || c < 0x20)) {
            return value;
        }
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                default -> quoted.append(c < 0x20 ? ' ' : c);
            }
        }
        return quoted.append('"').toString();
    }
}
