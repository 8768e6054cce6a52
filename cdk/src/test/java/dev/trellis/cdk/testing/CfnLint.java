package dev.trellis.cdk.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;

/** Runs cfn-lint (installed by bin/install-tools) on templates and returns what it found. */
public final class CfnLint {

    /**
     * Warnings about what CDK itself generates, not about our constructs: W3005, an ECS service's
     * DependsOn on its listener that a Ref already implies.
     */
    public static final Set<String> CDK_OWN_WARNINGS = Set.of("W3005");

    private static final ObjectMapper JSON = new ObjectMapper();

    private CfnLint() {
    }

    /** One finding: rule id, level (Error, Warning, Informational), message and where. */
    public record Finding(String rule, String level, String message, String file, int line) {
        @Override
        public String toString() {
            return level + " " + rule + " " + file + ":" + line + " " + message;
        }
    }

    public static List<Finding> lint(List<Path> templates) {
        try {
            List<String> command = new ArrayList<>(List.of("cfn-lint", "--format", "json", "--"));
            templates.forEach(t -> command.add(t.toString()));
            Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
            byte[] out = process.getInputStream().readAllBytes();
            String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("cfn-lint: no answer within 120 s");
            }
            // cfn-lint's exit code is a bit set: 2 errors, 4 warnings, 8 informational; 1 means it failed to run.
            if ((process.exitValue() & 1) != 0) {
                throw new IllegalStateException("cfn-lint failed: " + err + new String(out, StandardCharsets.UTF_8));
            }
            List<Finding> findings = new ArrayList<>();
            for (JsonNode f : JSON.readTree(out)) {
                findings.add(new Finding(f.path("Rule").path("Id").asText(), f.path("Level").asText(), f.path("Message").asText(),
                        f.path("Filename").asText(), f.path("Location").path("Start").path("LineNumber").asInt()));
            }
            return findings;
        } catch (IOException e) {
            throw new IllegalStateException("cfn-lint could not be run (expected: on PATH; cdk/bin/install-tools installs it)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Findings that count: every error, and every warning but CDK's own. */
    public static List<Finding> problems(List<Finding> findings) {
        return findings.stream()
                .filter(f -> f.level().equals("Error")
                        || f.level().equals("Warning") && !CDK_OWN_WARNINGS.contains(f.rule()))
                .toList();
    }

    /** Writes the stack's template to a file for cfn-lint. */
    public static Path write(Stack stack, Path directory) {
        try {
            Map<String, Object> template = Template.fromStack(stack).toJSON();
            Path file = directory.resolve(stack.getStackName() + ".template.json");
            Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(template));
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
