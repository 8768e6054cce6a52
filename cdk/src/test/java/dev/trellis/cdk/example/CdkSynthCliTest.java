package dev.trellis.cdk.example;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.cdk.testing.CfnLint;
import dev.trellis.cdk.testing.Repository;
import dev.trellis.cdk.testing.SpecParametersOf;
import dev.trellis.spec.MeshSpecs;
import dev.trellis.spec.SpecParameters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `cdk synth` from the repository root with the CLI pinned in cdk/package.json (installed by
 * cdk/bin/install-tools before the tests) and the app command of cdk.json.
 */
class CdkSynthCliTest {

    @TempDir
    static Path out;

    static int exitCode;
    static String output;
    static List<Path> templates;

    @BeforeAll
    static void synthFromTheRoot() throws IOException, InterruptedException {
        Path root = Repository.root();
        ProcessBuilder cdk = new ProcessBuilder(root.resolve("cdk/node_modules/.bin/cdk").toString(),
                "synth", "--no-notices", "--quiet", "--output", out.toString())
                .directory(root.toFile())
                .redirectErrorStream(true);
        cdk.environment().put("CDK_DISABLE_CLI_TELEMETRY", "true");
        Process process = cdk.start();
        byte[] bytes = process.getInputStream().readAllBytes();
        if (!process.waitFor(300, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("cdk synth: no end within 300 s");
        }
        exitCode = process.exitValue();
        output = new String(bytes, StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.list(out)) {
            templates = files.filter(f -> f.getFileName().toString().endsWith(".template.json")).sorted().toList();
        }
    }

    @Test
    @DisplayName("GIVEN the repository root WHEN `cdk synth` runs THEN it succeeds and writes the shop's template")
    void synthSucceeds() {
        assertThat(exitCode).as(output).isZero();
        assertThat(templates).extracting(t -> t.getFileName().toString()).contains("TrellisShop.template.json");
    }

    @Test
    @DisplayName("GIVEN every template `cdk synth` wrote WHEN cfn-lint checks them THEN it finds no error and no warning of ours")
    void cfnLint() {
        assertThat(templates).isNotEmpty();
        assertThat(CfnLint.problems(CfnLint.lint(templates))).isEmpty();
    }

    @Test
    @DisplayName("GIVEN the CLI's template WHEN its SSM parameters are read back THEN they are the shop spec of examples/shop/mesh.yaml")
    @SuppressWarnings("unchecked")
    void contract() throws IOException {
        Map<String, Object> template = new ObjectMapper().readValue(out.resolve("TrellisShop.template.json").toFile(), Map.class);
        assertThat(SpecParameters.fromParameters("shop", SpecParametersOf.template(template)))
                .isEqualTo(MeshSpecs.normalized(MeshSpecs.read(Repository.root().resolve("examples/shop/mesh.yaml"))));
    }
}
