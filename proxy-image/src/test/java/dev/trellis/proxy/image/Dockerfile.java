package dev.trellis.proxy.image;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The instructions of proxy-image/Dockerfile, read the way Docker reads them (comments dropped,
 * backslash continuations joined), so tests can check the image and run its entrypoint as a
 * plain process where no Docker engine runs.
 */
record Dockerfile(List<Instruction> instructions) {

    /** proxy-image/Dockerfile, found from the module directory Maven runs tests in. */
    static final Path PATH = Path.of("Dockerfile");

    record Instruction(String keyword, String arguments) {
    }

    static Dockerfile read() {
        try {
            return parse(Files.readString(PATH));
        } catch (IOException e) {
            throw new UncheckedIOException("Dockerfile: " + PATH.toAbsolutePath() + " (expected: readable)", e);
        }
    }

    static Dockerfile parse(String text) {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.length() == 0)) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed.substring(0, trimmed.length() - 1).stripTrailing()).append(' ');
                continue;
            }
            current.append(trimmed);
            String joined = current.toString().strip();
            current.setLength(0);
            if (joined.isEmpty()) {
                continue;
            }
            int space = joined.indexOf(' ');
            instructions.add(space < 0
                    ? new Instruction(joined.toUpperCase(Locale.ROOT), "")
                    : new Instruction(joined.substring(0, space).toUpperCase(Locale.ROOT), joined.substring(space + 1).strip()));
        }
        return new Dockerfile(List.copyOf(instructions));
    }

    /** The arguments of the last instruction with this keyword (Docker uses the last one). */
    String last(String keyword) {
        String found = null;
        for (Instruction instruction : instructions) {
            if (instruction.keyword().equals(keyword)) {
                found = instruction.arguments();
            }
        }
        if (found == null) {
            throw new IllegalStateException("Dockerfile: no " + keyword + " (expected: one)");
        }
        return found;
    }

    /** The arguments of every instruction with this keyword, in order. */
    List<String> all(String keyword) {
        return instructions.stream().filter(instruction -> instruction.keyword().equals(keyword))
                .map(Instruction::arguments).toList();
    }

    /** The first RUN in exec form whose argument vector contains {@code argument}. */
    List<String> runWith(String argument) {
        for (String run : all("RUN")) {
            if (run.startsWith("[")) {
                List<String> vector = execForm("RUN", run);
                if (vector.contains(argument)) {
                    return vector;
                }
            }
        }
        throw new IllegalStateException("Dockerfile: no RUN in exec form with " + argument + " (expected: one)");
    }

    /** ENTRYPOINT in exec form, as the argument vector. */
    List<String> entrypoint() {
        return execForm("ENTRYPOINT");
    }

    /** CMD in exec form, as the arguments appended to the entrypoint. */
    List<String> cmd() {
        return execForm("CMD");
    }

    /** What the container runs: ENTRYPOINT then CMD. */
    List<String> commandLine() {
        List<String> command = new ArrayList<>(entrypoint());
        command.addAll(cmd());
        return command;
    }

    private List<String> execForm(String keyword) {
        return execForm(keyword, last(keyword));
    }

    private static List<String> execForm(String keyword, String arguments) {
        if (!arguments.startsWith("[")) {
            throw new IllegalStateException(keyword + ": " + arguments
                    + " (expected: exec form, a JSON array, so that the JVM is PID 1 and receives SIGTERM)");
        }
        try {
            return new ObjectMapper().readValue(arguments, new TypeReference<List<String>>() { });
        } catch (IOException e) {
            throw new IllegalStateException(keyword + ": " + arguments + " (expected: a JSON array of strings)", e);
        }
    }
}
