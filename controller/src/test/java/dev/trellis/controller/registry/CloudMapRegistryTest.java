package dev.trellis.controller.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.cloudmap.Workload;
import dev.trellis.cloudmap.registrar.CloudMapRegistrar;
import dev.trellis.controller.Controller;
import dev.trellis.controller.spec.FileSpecReader;
import dev.trellis.controller.testing.Http;
import dev.trellis.controller.testing.TestMesh;
import dev.trellis.snapshot.Endpoint;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.client.CloudMapFallback;
import dev.trellis.snapshot.client.cloudmap.CloudMapDirectory;
import dev.trellis.testing.aws.AwsEmulator;
import dev.trellis.testing.aws.WithAwsEmulator;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;

/** The Cloud Map registry (moto), fed by cloudmap-sync's registrar as in production. */
@WithAwsEmulator
class CloudMapRegistryTest {

    private static final String TASK = "arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;
    private ServiceDiscoveryClient cloudMap;
    private CloudMapRegistrar registrar;
    private CloudMapRegistry registry;
    private Controller controller;

    @BeforeEach
    void start(AwsEmulator aws) throws Exception {
        aws.reset();
        cloudMap = aws.clients().serviceDiscovery();
        String operation = cloudMap.createHttpNamespace(r -> r.name("shop.local")).operationId();
        cloudMap.getOperation(r -> r.operationId(operation));
        registrar = CloudMapRegistrar.of(cloudMap);
        Path spec = dir.resolve("mesh.yaml");
        TestMesh.write(spec, TestMesh.SHOP);
        registry = new CloudMapRegistry(CloudMapDirectory.of(cloudMap), "shop.local", Duration.ofMillis(100));
        controller = Controller.builder(new FileSpecReader(spec), registry)
                .host("127.0.0.1").port(0).debounce(Duration.ofMillis(5)).start();
    }

    @AfterEach
    void stop() {
        controller.close();
    }

    @Test
    @DisplayName("GIVEN a controller on Cloud Map WHEN cloudmap-sync registers a task THEN the snapshots have its endpoint, in its version's cluster")
    void registeredTaskReachesTheSnapshot() throws Exception {
        registrar.register(Workload.builder().mesh("shop").service("orders").version("v2")
                .address("10.0.1.23").zone("us-east-1a").ecsTask(TASK).build());

        ProxySnapshot snapshot = await(s -> !s.cluster("orders/v2").orElseThrow().endpoints().isEmpty());

        Endpoint endpoint = snapshot.cluster("orders/v2").orElseThrow().endpoints().get(0);
        assertThat(endpoint.address()).isEqualTo("10.0.1.23");
        assertThat(endpoint.port()).isEqualTo(15000);
        assertThat(endpoint.zone()).isEqualTo("us-east-1a");
        assertThat(snapshot.cluster("orders/v1").orElseThrow().endpoints()).isEmpty();
    }

    @Test
    @DisplayName("GIVEN a registered task WHEN cloudmap-sync marks it unhealthy, then deregisters it THEN the snapshots follow")
    void healthAndDeregistrationReachTheSnapshot() throws Exception {
        Workload task = Workload.builder().mesh("shop").service("payments").version("v1")
                .address("10.0.2.2").ecsTask(TASK).build();
        registrar.register(task);
        await(s -> endpoints(s, "payments/v1").size() == 1 && endpoints(s, "payments/v1").get(0).healthy());

        registrar.setHealth("shop", "payments", Workload.ecsTaskId(TASK), false);
        await(s -> endpoints(s, "payments/v1").size() == 1 && !endpoints(s, "payments/v1").get(0).healthy());

        registrar.deregister("shop", "payments", Workload.ecsTaskId(TASK));
        await(s -> endpoints(s, "payments/v1").isEmpty());
    }

    @Test
    @DisplayName("GIVEN a proxy's last snapshot WHEN its Cloud Map fallback reads what the controller reads THEN it computes the very snapshot, and version, the controller serves")
    void proxyFallbackComputesTheControllersSnapshot() throws Exception {
        ProxySnapshot stale = controller.snapshots().sealNow("frontend").orElseThrow().snapshot();
        registrar.register(Workload.builder().mesh("shop").service("orders").version("v2")
                .address("10.0.1.23").zone("us-east-1a").ecsTask(TASK).build());
        registrar.register(Workload.builder().mesh("shop").service("payments").version("v1")
                .address("10.0.2.2").ecsTask(TASK.replace("0123", "4567")).healthy(false).build());
        ProxySnapshot served = await(s -> !endpoints(s, "orders/v2").isEmpty()
                && endpoints(s, "payments/v1").size() == 1 && !endpoints(s, "payments/v1").get(0).healthy());

        ProxySnapshot fallback = CloudMapFallback.of(CloudMapDirectory.of(cloudMap)).refresh(stale);

        assertThat(fallback.version()).isEqualTo(served.version()).isNotEqualTo(stale.version());
        assertThat(fallback).isEqualTo(served);
    }

    @Test
    @DisplayName("GIVEN a controller on Cloud Map WHEN a local process PUTs an instance THEN 405 says cloudmap-sync registers")
    void registryApiRefusesWritesOnCloudMap() {
        HttpResponse<String> response = Http.put(controller.uri().resolve("/v1/registry/orders/instances/x"),
                "{\"address\":\"127.0.0.1\",\"port\":1}");

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.body().strip())
                .isEqualTo("registry: cloudmap (expected: memory; with Cloud Map, cloudmap-sync registers)");
    }

    private static List<Endpoint> endpoints(ProxySnapshot snapshot, String cluster) {
        return snapshot.cluster(cluster).orElseThrow().endpoints();
    }

    private ProxySnapshot await(Predicate<ProxySnapshot> condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        ProxySnapshot last = null;
        while (System.nanoTime() < deadline) {
            last = controller.snapshots().sealNow("frontend").orElseThrow().snapshot();
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("condition not met within 10s; last snapshot clusters: " + last.clusters());
    }
}
