package dev.trellis.spec;

import java.util.List;
import java.util.stream.Collectors;

/** A spec that cannot be used, with every problem found in one pass. */
public final class InvalidSpecException extends RuntimeException {

    private final transient List<SpecProblem> problems;

    public InvalidSpecException(String source, List<SpecProblem> problems) {
        super(describe(source, problems));
        this.problems = List.copyOf(problems);
    }

    public List<SpecProblem> problems() {
        return problems;
    }

    private static String describe(String source, List<SpecProblem> problems) {
        String header = source + ": " + problems.size() + (problems.size() == 1 ? " problem" : " problems");
        return problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n", header + "\n", ""));
    }
}
