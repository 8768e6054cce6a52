package dev.trellis.spec;

/**
 * One thing wrong with a spec: where, what was found and what was expected.
 * Renders as {@code services[orders].routes[0].retry.attempts: -1 (expected: 0..10)}.
 *
 * @param path where in the document, services named by their name where they have one
 * @param found what was there, as the user wrote it (or a short description)
 * @param expected what would have been right
 */
public record SpecProblem(String path, String found, String expected) {

    @Override
    public String toString() {
        return path + ": " + found + " (expected: " + expected + ")";
    }
}
