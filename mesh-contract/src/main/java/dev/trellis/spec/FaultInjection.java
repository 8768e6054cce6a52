package dev.trellis.spec;

import java.time.Duration;

/**
 * Faults a proxy injects into matching requests, to test how callers cope.
 *
 * @param delay added latency, or null
 * @param abort a response sent instead of forwarding, or null
 */
public record FaultInjection(Delay delay, Abort abort) {

    /**
     * @param fixed delay added before forwarding
     * @param percent share of requests delayed, 0..100
     */
    public record Delay(Duration fixed, Double percent) {
        public Delay {
            percent = percent != null ? percent : 100.0;
        }
    }

    /**
     * @param status the HTTP status returned
     * @param percent share of requests aborted, 0..100
     */
    public record Abort(Integer status, Double percent) {
        public Abort {
            percent = percent != null ? percent : 100.0;
        }
    }
}
