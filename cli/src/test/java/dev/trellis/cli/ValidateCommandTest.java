package dev.trellis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ValidateCommandTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = Trellis.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    @DisplayName("GIVEN a valid spec WHEN validated THEN it says so and exits 0")
    void validSpec() throws IOException {
        Path spec = Files.writeString(dir.resolve("ok.yaml"), "mesh: shop\nservices: [{name: api, port: 8080}]\n");

        assertThat(run("validate", spec.toString())).isZero();
        assertThat(out.toString()).isEqualTo(spec + ": valid" + System.lineSeparator());
    }

    @Test
    @DisplayName("GIVEN a spec with two problems WHEN validated THEN both are printed with paths and it exits 1")
    void invalidSpec() throws IOException {
        Path spec = Files.writeString(dir.resolve("bad.yaml"), """
                mesh: shop
                services:
                  - name: orders
                    port: 8080
                    routes:
                      - targets: [{version: v2, weight: 1}]
                        retry: {attempts: 99}
                """);

        assertThat(run("validate", spec.toString())).isEqualTo(1);
        assertThat(err.toString().lines()).containsExactly(
                spec + ": 2 problems",
                "  services[orders].routes[0].retry.attempts: 99 (expected: 0..10)",
                "  services[orders].routes[0].targets[0].version: v2 (expected: one of v1)");
    }

    @Test
    @DisplayName("GIVEN a file that does not exist WHEN validated THEN it is named and the exit is 1")
    void missingFile() {
        assertThat(run("validate", dir.resolve("nope.yaml").toString())).isEqualTo(1);
        assertThat(err.toString()).startsWith(dir.resolve("nope.yaml") + ": cannot be read (NoSuchFileException");
    }

    @Test
    @DisplayName("GIVEN --help WHEN run THEN the commands are listed")
    void help() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("validate", "Check mesh spec files");
    }
}
