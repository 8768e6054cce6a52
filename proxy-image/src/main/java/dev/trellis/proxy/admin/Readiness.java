package dev.trellis.proxy.admin;

import java.util.Optional;

/**
 * Whether the proxy may take traffic: {@code GET /ready} answers 200 when no blocker is left,
 * and 503 naming the blocker otherwise (no snapshot yet, listeners not bound, draining).
 */
@FunctionalInterface
public interface Readiness {

    /** Always ready. */
    Readiness ALWAYS = Optional::empty;

    /** What keeps the proxy from taking traffic now, or empty when nothing does. */
    Optional<String> blocker();

    /** Ready only when both are. */
    default Readiness and(Readiness other) {
        return () -> {
            Optional<String> mine = blocker();
            return mine.isPresent() ? mine : other.blocker();
        };
    }
}
