package dev.trellis.hooks;

/**
 * An event or request that a hook cannot act on, with the field at fault:
 * {@code detail.lastStatus: 42 (expected: a string)}. Hooks fail without touching anything.
 */
public final class MalformedEventException extends RuntimeException {

    private final String field;

    public MalformedEventException(String field, String found, String expected) {
        super(field + ": " + found + " (expected: " + expected + ")");
        this.field = field;
    }

    /** The path of the field at fault, such as {@code detail.lastStatus}. */
    public String field() {
        return field;
    }
}
