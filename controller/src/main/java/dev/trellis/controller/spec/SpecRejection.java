package dev.trellis.controller.spec;

import java.time.Instant;
import java.util.List;

/**
 * A new spec document that was refused, while the last valid spec kept serving.
 *
 * @param at when it was refused
 * @param source where it came from
 * @param problems every problem, as {@code path: found (expected: ...)}
 */
public record SpecRejection(Instant at, String source, List<String> problems) {
    public SpecRejection {
        problems = List.copyOf(problems);
    }
}
