package dev.trellis.eks.registration;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.cloudmap.registrar.CloudMapRegistrar;
import dev.trellis.cloudmap.registrar.RegisteredInstance;
import dev.trellis.naming.CloudMapAttributes;
import dev.trellis.testing.aws.AwsEmulator;
import dev.trellis.testing.aws.WithAwsEmulator;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@WithAwsEmulator
@EnableKubernetesMockClient(crud = true)
class PodRegistrationTest {

    KubernetesClient client;

    private final AwsEmulator aws;
    private CloudMapRegistrar registrar;
    private PodRegistration registration;

    PodRegistrationTest(AwsEmulator aws) {
        this.aws = aws;
    }

    @BeforeEach
    void setUp() {
        aws.reset();
        aws.clients().serviceDiscovery().createHttpNamespace(r -> r.name("shop.local"));
        registrar = CloudMapRegistrar.of(aws.clients().serviceDiscovery());
        registration = new PodRegistration(client, registrar, "shop");
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-a")
                .addToLabels("topology.kubernetes.io/zone", "us-east-1a").endMetadata().build()).create();
    }

    @AfterEach
    void tearDown() {
        registration.close();
    }

    private static Pod pod(String name, String ip, boolean ready) {
        return new PodBuilder()
                .withNewMetadata().withName(name).withNamespace("shop")
                    .withLabels(Map.of("trellis.dev/mesh", "shop", "trellis.dev/service", "orders",
                            "trellis.dev/version", "v2"))
                .endMetadata()
                .withNewSpec().withNodeName("node-a").addNewContainer().withName("orders").withImage("orders:2")
                    .endContainer().endSpec()
                .withNewStatus().withPodIP(ip)
                    .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                .endStatus()
                .build();
    }

    private List<RegisteredInstance> ordersInstances() {
        return registrar.instances("shop", "orders");
    }

    @Test
    @DisplayName("GIVEN a Ready pod WHEN applied THEN Cloud Map holds it with IP, inbound port, version and zone")
    void readyPodRegistered() {
        registration.apply(pod("orders-1", "10.1.0.5", true));

        assertThat(ordersInstances()).singleElement().satisfies(instance -> {
            assertThat(instance.instanceId()).isEqualTo("shop/orders-1");
            assertThat(instance.attributes()).containsEntry(CloudMapAttributes.IPV4, "10.1.0.5")
                    .containsEntry(CloudMapAttributes.PORT, "15000")
                    .containsEntry(CloudMapAttributes.VERSION, "v2")
                    .containsEntry(CloudMapAttributes.AVAILABILITY_ZONE, "us-east-1a")
                    .containsEntry(CloudMapAttributes.WORKLOAD_KIND, "eks-pod");
        });
    }

    @Test
    @DisplayName("GIVEN a registered pod WHEN it stops being Ready THEN its instance is removed at once")
    void notReadyDeregistered() {
        registration.apply(pod("orders-1", "10.1.0.5", true));

        registration.apply(pod("orders-1", "10.1.0.5", false));

        assertThat(ordersInstances()).isEmpty();
    }

    @Test
    @DisplayName("GIVEN a pod that is not Ready WHEN applied THEN nothing is registered")
    void notReadyNotRegistered() {
        registration.apply(pod("orders-1", "10.1.0.5", false));

        assertThat(ordersInstances()).isEmpty();
    }

    @Test
    @DisplayName("GIVEN the watch is running WHEN a Ready pod is created and then deleted THEN it appears in and leaves Cloud Map")
    void watchesPods() throws InterruptedException {
        registration.start(Duration.ofMinutes(5));

        client.pods().inNamespace("shop").resource(pod("orders-1", "10.1.0.5", true)).create();
        awaitInstances(1);
        client.pods().inNamespace("shop").withName("orders-1").delete();
        awaitInstances(0);
    }

    @Test
    @DisplayName("GIVEN drift (a missed delete and a missed create) WHEN resynced twice THEN Cloud Map equals the Ready pods, without duplicates")
    void resyncRepairsDriftIdempotently() {
        registration.apply(pod("gone", "10.1.0.9", true));
        client.pods().inNamespace("shop").resource(pod("orders-1", "10.1.0.5", true)).create();
        client.pods().inNamespace("shop").resource(pod("orders-2", "10.1.0.6", false)).create();

        assertThat(registration.resync()).isEqualTo(2);
        assertThat(ordersInstances()).extracting(RegisteredInstance::instanceId).containsExactly("shop/orders-1");
        assertThat(new PodRegistration(client, CloudMapRegistrar.of(aws.clients().serviceDiscovery()), "shop").resync())
                .as("a restarted controller converges without changes").isZero();
        assertThat(ordersInstances()).singleElement().satisfies(i -> assertThat(i.copies()).isEqualTo(1));
    }

    private void awaitInstances(int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (ordersInstances().size() != count && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(ordersInstances()).hasSize(count);
    }
}
