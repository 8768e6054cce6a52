package dev.trellis.controller.spec;

import dev.trellis.spec.MeshSpec;

/**
 * Reads the spec's raw document from where it lives, whole, on every poll. Two reads that give
 * equal raw values mean an unchanged spec, so that an unchanged invalid document is reported
 * once, not on every poll.
 *
 * @param <R> the raw document: file text, or a map of SSM parameters
 */
public interface SpecReader<R> {

    /** Where the spec lives, for logs and status: {@code file:<path>} or {@code ssm:<path>}. */
    String source();

    /**
     * The raw document now.
     *
     * @throws RuntimeException if it cannot be read (the watcher logs it and keeps the current spec)
     */
    R fetch();

    /**
     * Validates and assembles the spec.
     *
     * @throws dev.trellis.spec.InvalidSpecException with every problem
     */
    MeshSpec parse(R raw);
}
