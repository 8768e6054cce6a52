package dev.trellis.cdk.example;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.cdk.testing.CfnLint;
import dev.trellis.cdk.testing.CliSynth;
import dev.trellis.cdk.testing.Repository;
import dev.trellis.cdk.testing.SpecParametersOf;
import dev.trellis.spec.MeshSpecs;
import dev.trellis.spec.SpecParameters;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * `cdk synth` from the repository root with the CLI pinned in cdk/package.json (installed by
 * cdk/bin/install-tools before the tests) and the app command of cdk.json. The run starts in the
 * background when the test run begins ({@link CliSynth}).
 */
class CdkSynthCliTest {

    static CliSynth.Result synth;

    @BeforeAll
    static void waitForTheSynth() throws Exception {
        synth = CliSynth.start().get(360, TimeUnit.SECONDS);
    }

    @Test
    @DisplayName("GIVEN the repository root WHEN `cdk synth` runs THEN it succeeds and writes the shop's template")
    void synthSucceeds() {
        assertThat(synth.exitCode()).as(synth.output()).isZero();
        assertThat(synth.templates()).extracting(t -> t.getFileName().toString()).contains("TrellisShop.template.json");
    }

    @Test
    @DisplayName("GIVEN every template `cdk synth` wrote WHEN cfn-lint checks them THEN it finds no error and no warning of ours")
    void cfnLint() {
        assertThat(synth.templates()).isNotEmpty();
        assertThat(CfnLint.problems(synth.findings())).isEmpty();
    }

    @Test
    @DisplayName("GIVEN the CLI's template WHEN its SSM parameters are read back THEN they are the shop spec of examples/shop/mesh.yaml")
    @SuppressWarnings("unchecked")
    void contract() throws IOException {
        Map<String, Object> template = new ObjectMapper().readValue(
                synth.outdir().resolve("TrellisShop.template.json").toFile(), Map.class);
        assertThat(SpecParameters.fromParameters("shop", SpecParametersOf.template(template)))
                .isEqualTo(MeshSpecs.normalized(MeshSpecs.read(Repository.root().resolve("examples/shop/mesh.yaml"))));
    }
}
