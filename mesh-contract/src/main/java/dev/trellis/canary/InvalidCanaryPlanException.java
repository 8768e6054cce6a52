package dev.trellis.canary;

/** A canary plan that cannot be used, naming the first field at fault: {@code steps[1]: 50 (expected: 100: ...)}. */
public final class InvalidCanaryPlanException extends IllegalArgumentException {

    private final String field;

    public InvalidCanaryPlanException(String field, String found, String expected) {
        super(field + ": " + found + " (expected: " + expected + ")");
        this.field = field;
    }

    /** The field at fault, such as {@code steps[1]}. */
    public String field() {
        return field;
    }
}
