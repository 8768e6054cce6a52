package dev.trellis.cli.up;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.cloudmap.registrar.CloudMapRegistrar;
import dev.trellis.cloudmap.registrar.RegisteredInstance;
import dev.trellis.naming.CloudMapAttributes;
import dev.trellis.spec.MeshSpecs;
import dev.trellis.testing.aws.AwsEmulator;
import dev.trellis.testing.aws.WithAwsEmulator;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@WithAwsEmulator
class LocalMeshOnCloudMapTest {

    @Test
    @DisplayName("GIVEN --aws-endpoint WHEN the shop runs THEN its instances are in Cloud Map and traffic flows through what the controller read there")
    void registersInCloudMapAndServesFromIt(AwsEmulator aws) throws Exception {
        Path spec = ShopExample.spec();

        try (LocalMesh mesh = LocalMesh.start(spec, LocalTopology.forSpec(spec, MeshSpecs.read(spec)), aws.endpoint())) {
            CloudMapRegistrar cloudMap = CloudMapRegistrar.of(aws.clients().serviceDiscovery());
            List<RegisteredInstance> instances = Stream.of("frontend", "orders", "payments")
                    .flatMap(service -> cloudMap.instances("shop", service).stream()).toList();
            assertThat(instances).hasSize(6).allSatisfy(instance -> {
                assertThat(instance.workloadKind()).contains("local");
                assertThat(instance.attribute(CloudMapAttributes.IPV4)).contains("127.0.0.1");
            });
            long deadline = System.nanoTime() + 30_000_000_000L;
            long succeeded = 0;
            while (System.nanoTime() < deadline && succeeded < 200) {
                Thread.sleep(500);
                succeeded = mesh.traffic().sample().succeeded();
            }
            assertThat(succeeded).as("requests through proxies configured from Cloud Map").isGreaterThanOrEqualTo(200);
        }
    }
}
