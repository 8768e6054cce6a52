package dev.trellis.spec;

/**
 * A fire-and-forget copy of matching requests sent to another version of the same service;
 * its responses are dropped and it never delays the real response.
 *
 * @param version the version receiving the copies
 * @param percent share of requests copied, 0..100
 */
public record Mirror(String version, Double percent) {
    public Mirror {
        percent = percent != null ? percent : 100.0;
    }
}
