package dev.trellis.hooks;

import dev.trellis.spec.Durations;
import java.time.Duration;

/**
 * Durations in events and plans, written as in mesh specs ({@link Durations}: {@code 250ms},
 * {@code 15s}, {@code 5m}, {@code 1h}), with errors that name the event field.
 */
public final class HookDurations {

    private HookDurations() {
    }

    /** Parses {@code text}; {@code path} names the field in the error. */
    public static Duration parse(String text, String path) {
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new MalformedEventException(path, text == null ? "missing" : "\"" + text + "\"",
                    "a number and a unit, such as 250ms, 15s, 5m or 1h");
        }
    }

    /** The shortest exact form, the largest unit that divides the duration. */
    public static String format(Duration duration) {
        return Durations.format(duration);
    }
}
