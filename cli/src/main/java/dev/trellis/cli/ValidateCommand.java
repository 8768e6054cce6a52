package dev.trellis.cli;

import dev.trellis.spec.MeshSpecs;
import dev.trellis.spec.SpecProblem;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code trellis validate SPEC...}: every problem of each spec, with its path; exit 1 if any. */
@Command(name = "validate", description = "Check mesh spec files and print every problem with its path.")
final class ValidateCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "SPEC", description = "Mesh spec files (YAML or JSON).")
    List<Path> specs;

    @Spec
    CommandSpec command;

    @Override
    public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        int invalid = 0;
        for (Path spec : specs) {
            String text;
            try {
                text = Files.readString(spec);
            } catch (IOException e) {
                err.println(spec + ": cannot be read (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
                invalid++;
                continue;
            }
            List<SpecProblem> problems = MeshSpecs.problems(text, spec.toString());
            if (problems.isEmpty()) {
                out.println(spec + ": valid");
            } else {
                invalid++;
                err.println(spec + ": " + problems.size() + (problems.size() == 1 ? " problem" : " problems"));
                problems.forEach(p -> err.println("  " + p));
            }
        }
        out.flush();
        err.flush();
        return invalid == 0 ? 0 : 1;
    }
}
