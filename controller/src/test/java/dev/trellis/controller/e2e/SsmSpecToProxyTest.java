package dev.trellis.controller.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.controller.Controller;
import dev.trellis.controller.registry.Registry;
import dev.trellis.controller.spec.ParameterStore;
import dev.trellis.controller.spec.SsmSpecReader;
import dev.trellis.controller.testing.TestMesh;
import dev.trellis.naming.SsmPaths;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.client.Backoff;
import dev.trellis.snapshot.client.ControllerSnapshotSource;
import dev.trellis.spec.MeshSpec;
import dev.trellis.spec.MeshSpecs;
import dev.trellis.spec.SpecParameters;
import dev.trellis.testing.aws.AwsEmulator;
import dev.trellis.testing.aws.WithAwsEmulator;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** The spec in SSM Parameter Store (moto), the controller polling it, and a proxy long-polling the controller. */
@WithAwsEmulator
class SsmSpecToProxyTest {

    private final SsmClient ssm;
    private Controller controller;

    SsmSpecToProxyTest(AwsEmulator aws) {
        this.ssm = aws.clients().ssm();
    }

    @BeforeEach
    void publishSpecAndStartController(AwsEmulator aws) throws Exception {
        aws.reset();
        put(SpecParameters.toParameters(MeshSpecs.parseYaml(TestMesh.SHOP)));
        controller = Controller.builder(new SsmSpecReader("shop", ParameterStore.of(ssm)), Registry.inMemory())
                .host("127.0.0.1").port(0).specInterval(Duration.ofMillis(100)).debounce(Duration.ofMillis(5))
                .start();
    }

    @AfterEach
    void stopController() {
        controller.close();
    }

    @Test
    @DisplayName("GIVEN the spec in SSM and a proxy long-polling WHEN one service's parameter changes THEN the proxy applies a snapshot with the change")
    void ssmSpecChangeReachesALongPollingProxy() throws Exception {
        Snapshots2Proxy proxy = new Snapshots2Proxy();
        try (ControllerSnapshotSource source = ControllerSnapshotSource.builder(controller.uri(), "frontend")
                .backoff(Backoff.exponential(Duration.ofMillis(20), Duration.ofMillis(100))).build()) {
            source.start(proxy::accept);
            ProxySnapshot first = proxy.await(s -> true, Duration.ofSeconds(5));
            assertThat(first.cluster("payments/v1")).isPresent();

            MeshSpec changed = MeshSpecs.parseYaml(TestMesh.shopWithCanary(40));
            put(Map.of(SsmPaths.service("shop", "orders"),
                    MeshSpecs.serviceToJson(changed.service("orders").orElseThrow())));

            ProxySnapshot second = proxy.await(s -> !s.version().equals(first.version()), Duration.ofSeconds(5));
            assertThat(second.outbound().services().stream().filter(s -> s.name().equals("orders")).findFirst()
                    .orElseThrow().routes().get(0).targets()).extracting(t -> t.weight()).containsExactly(60, 40);
        }
    }

    @Test
    @DisplayName("GIVEN the spec in SSM WHEN a service parameter becomes invalid THEN the controller refuses it and keeps serving the last valid spec")
    void invalidSsmSpecChangeIsRefused() throws Exception {
        String versionBefore = controller.snapshots().spec().orElseThrow().version();

        put(Map.of(SsmPaths.service("shop", "payments"), "{\"name\":\"payments\",\"port\":70000}"));
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (controller.specWatcher().lastRejection().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }

        assertThat(controller.specWatcher().lastRejection()).hasValueSatisfying(r -> {
            assertThat(r.source()).isEqualTo("ssm:/trellis/shop");
            assertThat(r.problems()).anySatisfy(p -> assertThat(p).contains("70000"));
        });
        assertThat(controller.snapshots().spec().orElseThrow().version()).isEqualTo(versionBefore);
        assertThat(controller.snapshots().services()).containsExactly("frontend", "orders", "payments");
    }

    @Test
    @DisplayName("GIVEN the spec in SSM WHEN a service parameter is added THEN the controller serves the new service")
    void newServiceParameterAddsAService() throws Exception {
        put(Map.of(SsmPaths.service("shop", "inventory"), "{\"name\":\"inventory\",\"port\":8083}"));
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!controller.snapshots().services().contains("inventory") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }

        assertThat(controller.snapshots().services()).containsExactly("frontend", "inventory", "orders", "payments");
        assertThat(controller.snapshots().sealNow("frontend").orElseThrow().snapshot().cluster("inventory/v1")).isPresent();
    }

    private void put(Map<String, String> parameters) {
        parameters.forEach((name, value) -> ssm.putParameter(r -> r.name(name).value(value)
                .type(ParameterType.STRING).overwrite(true)));
    }
}
