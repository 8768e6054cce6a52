package dev.trellis.cloudmap.registrar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.cloudmap.Workload;
import dev.trellis.cloudmap.testing.CloudMapFixture;
import dev.trellis.naming.CloudMapAttributes;
import dev.trellis.spec.MeshSpec;
import dev.trellis.spec.ServiceSpec;
import dev.trellis.testing.aws.AwsEmulator;
import dev.trellis.testing.aws.WithAwsEmulator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.servicediscovery.model.HealthStatusFilter;

@WithAwsEmulator
class CloudMapRegistrarTest {

    private static final AtomicInteger MESHES = new AtomicInteger();
    private static final String TASK_ARN = "arn:aws:ecs:us-east-1:123456789012:task/prod/aaaabbbbccccddddeeeeffff00001111";

    private final AwsEmulator aws;
    private final CloudMapFixture cloudMap;
    private String mesh;
    private String namespaceId;
    private CloudMapRegistrar registrar;

    CloudMapRegistrarTest(AwsEmulator aws) {
        this.aws = aws;
        this.cloudMap = new CloudMapFixture(aws);
    }

    @BeforeEach
    void newMesh() {
        mesh = "reg" + MESHES.incrementAndGet();
        namespaceId = cloudMap.createNamespace(mesh);
        registrar = CloudMapRegistrar.of(aws.clients().serviceDiscovery());
    }

    private Workload.Builder orders() {
        return Workload.builder().mesh(mesh).service("orders").version("v2").address("10.0.1.23")
                .zone("us-east-1a").ecsTask(TASK_ARN);
    }

    @Test
    @DisplayName("GIVEN a mesh namespace without the service WHEN a workload registers THEN the service is created with a custom health check and the instance carries every attribute")
    void registersIntoANewService() {
        Registration result = registrar.register(orders().build());

        assertThat(result).isEqualTo(Registration.CREATED);
        String serviceId = cloudMap.serviceId(namespaceId, "orders");
        assertThat(cloudMap.client().getService(r -> r.id(serviceId)).service().healthCheckCustomConfig()).isNotNull();
        assertThat(cloudMap.attributesById(serviceId)).containsOnlyKeys("aaaabbbbccccddddeeeeffff00001111");
        assertThat(cloudMap.attributesById(serviceId).get("aaaabbbbccccddddeeeeffff00001111"))
                .containsEntry(CloudMapAttributes.IPV4, "10.0.1.23")
                .containsEntry(CloudMapAttributes.PORT, "15000")
                .containsEntry(CloudMapAttributes.AVAILABILITY_ZONE, "us-east-1a")
                .containsEntry(CloudMapAttributes.MESH, mesh)
                .containsEntry(CloudMapAttributes.VERSION, "v2")
                .containsEntry(CloudMapAttributes.WORKLOAD, TASK_ARN)
                .containsEntry(CloudMapAttributes.WORKLOAD_KIND, "ecs-task");
    }

    @Test
    @DisplayName("GIVEN a registered workload WHEN it registers again THEN nothing is written and exactly one record exists")
    void reRegisteringIsANoOp() {
        registrar.register(orders().build());

        Registration again = registrar.register(orders().build());
        Registration byAnotherProcess = CloudMapRegistrar.of(aws.clients().serviceDiscovery()).register(orders().build());

        assertThat(again).isEqualTo(Registration.UNCHANGED);
        assertThat(byAnotherProcess).isEqualTo(Registration.UNCHANGED);
        assertThat(cloudMap.instances(cloudMap.serviceId(namespaceId, "orders"))).hasSize(1);
    }

    @Test
    @DisplayName("GIVEN a registered workload WHEN it registers with other attributes THEN the one record is replaced")
    void changedAttributesReplaceTheRecord() {
        registrar.register(orders().build());

        Registration result = registrar.register(orders().version("v3").build());

        assertThat(result).isEqualTo(Registration.UPDATED);
        String serviceId = cloudMap.serviceId(namespaceId, "orders");
        assertThat(cloudMap.instances(serviceId)).hasSize(1);
        assertThat(cloudMap.instances(serviceId).get(0).attributes()).containsEntry(CloudMapAttributes.VERSION, "v3");
    }

    @Test
    @DisplayName("GIVEN a registered workload WHEN it deregisters twice THEN the first removes it and the second finds nothing to remove")
    void deregisterIsIdempotent() {
        Workload workload = orders().build();
        registrar.register(workload);

        boolean first = registrar.deregister(mesh, "orders", workload.instanceId());
        boolean second = registrar.deregister(mesh, "orders", workload.instanceId());

        assertThat(first).isTrue();
        assertThat(second).isFalse();
        assertThat(cloudMap.instances(cloudMap.serviceId(namespaceId, "orders"))).isEmpty();
    }

    @Test
    @DisplayName("GIVEN a registered workload WHEN it is marked unhealthy THEN Cloud Map reports UNHEALTHY and discovery of healthy instances skips it")
    void setsCustomHealth() {
        Workload workload = orders().build();
        registrar.register(workload);

        registrar.setHealth(mesh, "orders", workload.instanceId(), false);

        String serviceId = cloudMap.serviceId(namespaceId, "orders");
        assertThat(cloudMap.health(serviceId)).containsEntry(workload.instanceId(), "UNHEALTHY");
        assertThat(cloudMap.client().discoverInstances(r -> r.namespaceName(mesh + ".local").serviceName("orders")
                .healthStatus(HealthStatusFilter.HEALTHY)).instances()).isEmpty();
    }

    @Test
    @DisplayName("GIVEN an unhealthy workload WHEN it registers THEN its instance starts UNHEALTHY")
    void unhealthyWorkloadStartsUnhealthy() {
        Workload workload = orders().healthy(false).build();

        registrar.register(workload);

        assertThat(cloudMap.health(cloudMap.serviceId(namespaceId, "orders"))).containsEntry(workload.instanceId(), "UNHEALTHY");
    }

    @Test
    @DisplayName("GIVEN registered instances WHEN listed THEN each id appears once with its attributes and health")
    void listsInstancesWithHealth() {
        Workload workload = orders().build();
        registrar.register(workload);

        List<RegisteredInstance> instances = registrar.instances(mesh, "orders");

        assertThat(instances).singleElement().satisfies(instance -> {
            assertThat(instance.instanceId()).isEqualTo(workload.instanceId());
            assertThat(instance.attributes()).isEqualTo(workload.attributes());
            assertThat(instance.copies()).isEqualTo(1);
            assertThat(instance.health()).contains("HEALTHY");
        });
        assertThat(registrar.instances(mesh, "payments")).isEmpty();
        assertThat(registrar.services(mesh)).containsExactly("orders");
    }

    @Test
    @DisplayName("GIVEN two controllers and eight threads WHEN they all ensure the same service at once THEN they all get the same one Cloud Map service")
    void concurrentEnsureServiceConverges() throws Exception {
        CloudMapRegistrar other = CloudMapRegistrar.of(aws.clients().serviceDiscovery());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> ids = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                CloudMapRegistrar which = i % 2 == 0 ? registrar : other;
                ids.add(pool.submit((Callable<String>) () -> which.ensureService(mesh, "payments")));
            }
            Set<String> distinct = new java.util.HashSet<>();
            for (Future<String> id : ids) {
                distinct.add(id.get());
            }
            assertThat(distinct).hasSize(1);
            assertThat(cloudMap.services(namespaceId, "payments")).extracting(s -> s.id()).contains(distinct.iterator().next());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @DisplayName("GIVEN a mesh spec with two services WHEN its services are ensured THEN each has one Cloud Map service with no instances, and ensuring again changes nothing")
    void ensuresEveryServiceOfTheSpec() {
        MeshSpec spec = MeshSpec.of(mesh, List.of(ServiceSpec.of("orders", 8080), ServiceSpec.of("payments", 8080)));

        Map<String, String> ids = registrar.ensureServices(spec);
        Map<String, String> again = CloudMapRegistrar.of(aws.clients().serviceDiscovery()).ensureServices(spec);

        assertThat(ids).containsOnlyKeys("orders", "payments").isEqualTo(again);
        assertThat(ids.get("orders")).isEqualTo(cloudMap.serviceId(namespaceId, "orders"));
        assertThat(cloudMap.instances(ids.get("payments"))).isEmpty();
        assertThat(cloudMap.client().discoverInstances(r -> r.namespaceName(mesh + ".local").serviceName("payments"))
                .instances()).isEmpty();
    }

    @Test
    @DisplayName("GIVEN a mesh without a namespace WHEN a workload registers THEN the error names the namespace and what is expected")
    void missingNamespaceIsExplained() {
        Workload workload = orders().mesh("nomesh").build();

        assertThatThrownBy(() -> registrar.register(workload))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("namespace: \"nomesh.local\" not found (expected: an existing Cloud Map namespace for mesh"
                        + " \"nomesh\", as the Trellis CDK constructs create)");
    }

    @Test
    @DisplayName("GIVEN an emulator that duplicated a record WHEN all copies are removed THEN none is left")
    void removesDuplicateRecords() {
        Workload workload = orders().build();
        registrar.register(workload);
        String serviceId = cloudMap.serviceId(namespaceId, "orders");
        cloudMap.client().registerInstance(r -> r.serviceId(serviceId).instanceId(workload.instanceId())
                .attributes(workload.attributes()));
        assertThat(registrar.instances(mesh, "orders")).singleElement()
                .satisfies(instance -> assertThat(instance.copies()).isEqualTo(2));

        int removed = registrar.removeAllCopies(mesh, "orders", workload.instanceId(), 2);

        assertThat(removed).isEqualTo(2);
        assertThat(cloudMap.instances(serviceId)).isEmpty();
    }
}
