package dev.trellis.snapshot;

import java.util.List;

/** A snapshot that must not be served or applied, with every inconsistency found. */
public final class InvalidSnapshotException extends RuntimeException {

    private final transient List<String> problems;

    public InvalidSnapshotException(String what, List<String> problems) {
        super(what + ": " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
