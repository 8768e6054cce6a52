package dev.trellis.hooks;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations written as in mesh specs ({@code 250ms}, {@code 15s}, {@code 5m}, {@code 1h}), so that
 * a canary plan reads like the spec it changes.
 */
public final class HookDurations {

    private static final Pattern FORM = Pattern.compile("([0-9]{1,9})(ms|s|m|h)");

    private HookDurations() {
    }

    /** Parses {@code text}; {@code path} names the field in the error. */
    public static Duration parse(String text, String path) {
        Matcher m = FORM.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new MalformedEventException(path, text == null ? "missing" : "\"" + text + "\"",
                    "a number and a unit, such as 250ms, 15s, 5m or 1h");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    /** The shortest exact form, the largest unit that divides the duration. */
    public static String format(Duration duration) {
        long ms = duration.toMillis();
        if (ms != 0 && ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms != 0 && ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
