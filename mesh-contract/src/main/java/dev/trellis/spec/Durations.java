package dev.trellis.spec;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in specs, command lines and plans: {@code 250ms}, {@code 15s},
 * {@code 5m}, {@code 1h}. One format for the whole project.
 */
public final class Durations {

    /** Kept equal to the pattern of the schema's Duration definition. */
    public static final Pattern PATTERN = Pattern.compile("^([0-9]{1,9})(ms|s|m|h)$");

    private Durations() {
    }

    /** @throws IllegalArgumentException {@code duration: <text> (expected: ...)} */
    public static Duration parse(String text) {
        Matcher m = PATTERN.matcher(text == null ? "" : text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "duration: " + text + " (expected: a number and a unit, such as 250ms, 15s, 5m or 1h)");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            default -> Duration.ofHours(amount);
        };
    }

    /** The shortest exact form: the largest unit that divides the duration. */
    public static String format(Duration d) {
        long ms = d.toMillis();
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
