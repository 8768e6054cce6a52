package dev.trellis.hooks.custom;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.hooks.EventJson;
import dev.trellis.hooks.Fixtures;
import dev.trellis.hooks.coldstart.ColdStart;
import dev.trellis.testing.aws.AwsEmulator;
import dev.trellis.testing.aws.WithAwsEmulator;
import java.util.List;
import org.junit.jupiter.api.Test;

@WithAwsEmulator
class MeshCaResourceHandlerColdStartIT {

    @Test
    void givenAFreshJvmOnTheLambdaJar_whenTheCreateRequestArrives_thenTheCaIsCreatedAndTheColdStartIsRecorded(AwsEmulator aws) {
        try (ResponseUrlServer s3 = new ResponseUrlServer()) {
            List<ColdStart.Figures> runs = ColdStart.measure(MeshCaResourceHandler.class, () -> {
                aws.reset();
                s3.received().clear();
                return EventJson.readObject(Fixtures.text("custom/create.json")).put("ResponseURL", s3.url().toString()).toString();
            }, aws.environment());

            assertThat(runs).allSatisfy(run -> assertThat(run.answer().path("Status").asText()).isEqualTo("SUCCESS"));
            assertThat(s3.received()).hasSize(2); // the last run's cold invocation and its warm duplicate
            assertThat(s3.received().get(1).json().path("PhysicalResourceId"))
                    .isEqualTo(s3.received().get(0).json().path("PhysicalResourceId"));
            assertThat(aws.clients().secretsManager().listSecrets(r -> { }).secretList()).hasSize(1);
        }
    }
}
