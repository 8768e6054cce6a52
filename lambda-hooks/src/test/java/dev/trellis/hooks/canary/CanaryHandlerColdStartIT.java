package dev.trellis.hooks.canary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.hooks.Fixtures;
import dev.trellis.hooks.coldstart.ColdStart;
import dev.trellis.spec.MeshSpecs;
import dev.trellis.spec.SpecParameters;
import dev.trellis.testing.aws.AwsEmulator;
import dev.trellis.testing.aws.WithAwsEmulator;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.model.ParameterType;

@WithAwsEmulator
class CanaryHandlerColdStartIT {

    @Test
    void givenAFreshJvmOnTheLambdaJar_whenTheFirstStepIsDriven_thenTheCanaryStartsAndTheColdStartIsRecorded(AwsEmulator aws) {
        List<ColdStart.Figures> runs = ColdStart.measure(CanaryHandler.class, () -> {
            aws.reset();
            SpecParameters.toParameters(MeshSpecs.parse(Fixtures.text("canary/shop-mesh.yaml"), "shop-mesh.yaml"))
                    .forEach((name, value) -> aws.clients().ssm().putParameter(r -> r.name(name).value(value)
                            .type(ParameterType.STRING).overwrite(true)));
            return Fixtures.text("canary/scheduled-event-orders-checkout.json");
        }, aws.environment());

        assertThat(runs).allSatisfy(run -> assertThat(run.answer().path("action").asText()).isEqualTo("START"));
        assertThat(SsmCanaryStateStore.of(aws.clients().ssm()).load("shop", "orders", "checkout")).isPresent();
    }
}
