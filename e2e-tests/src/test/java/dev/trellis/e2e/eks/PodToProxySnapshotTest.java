package dev.trellis.e2e.eks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.cloudmap.registrar.CloudMapRegistrar;
import dev.trellis.controller.Controller;
import dev.trellis.controller.registry.CloudMapRegistry;
import dev.trellis.controller.spec.ParameterStore;
import dev.trellis.controller.spec.SsmSpecReader;
import dev.trellis.e2e.support.Await;
import dev.trellis.e2e.support.MeshInSsm;
import dev.trellis.e2e.support.WebCallsApi;
import dev.trellis.eks.registration.PodRegistration;
import dev.trellis.naming.CloudMapNames;
import dev.trellis.naming.MeshPorts;
import dev.trellis.naming.WorkloadLabels;
import dev.trellis.proxy.ProxyServer;
import dev.trellis.snapshot.Cluster;
import dev.trellis.snapshot.Endpoint;
import dev.trellis.snapshot.client.ControllerSnapshotSource;
import dev.trellis.snapshot.client.cloudmap.CloudMapDirectory;
import dev.trellis.snapshot.client.cloudmap.DiscoveredInstance;
import dev.trellis.testing.aws.AwsEmulator;
import dev.trellis.testing.aws.WithAwsEmulator;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;

/**
 * EKS: a Ready pod labelled for the mesh is registered in Cloud Map by {@link PodRegistration},
 * read by the controller's {@link CloudMapRegistry}, and served to web's proxy, whose snapshot
 * then holds the pod as an endpoint of api; the pod's deletion and a restart of the registration
 * are followed the same way, without duplicate Cloud Map records.
 */
@WithAwsEmulator
@EnableKubernetesMockClient(crud = true)
class PodToProxySnapshotTest {

    private static final String MESH = "shop";
    private static final String NAMESPACE = "team-a";
    private static final Duration PROPAGATION_LIMIT = Duration.ofSeconds(10);

    KubernetesClient client;

    private final AwsEmulator aws;
    private final List<AutoCloseable> running = new ArrayList<>();
    private CloudMapRegistrar registrar;
    private CloudMapDirectory directory;
    private ProxyServer webProxy;

    PodToProxySnapshotTest(AwsEmulator aws) {
        this.aws = aws;
    }

    @BeforeEach
    void meshWithControllerAndWebProxy() throws InterruptedException {
        aws.reset();
        ServiceDiscoveryClient cloudMap = aws.clients().serviceDiscovery();
        cloudMap.createHttpNamespace(r -> r.name(CloudMapNames.namespace(MESH)));
        new MeshInSsm(aws.clients().ssm()).put(WebCallsApi.spec(MESH, Duration.ofSeconds(5)));
        registrar = CloudMapRegistrar.of(cloudMap);
        directory = CloudMapDirectory.of(cloudMap);

        Controller controller = Controller.builder(new SsmSpecReader(MESH, ParameterStore.of(aws.clients().ssm())),
                        new CloudMapRegistry(directory, CloudMapNames.namespace(MESH), Duration.ofMillis(200)))
                .host("127.0.0.1").port(0).specInterval(Duration.ofMillis(250)).debounce(Duration.ofMillis(20))
                .start();
        running.add(controller);
        webProxy = ProxyServer.builder(ControllerSnapshotSource.builder(controller.uri(), WebCallsApi.WEB)
                        .proxyId("web-1").wait(Duration.ofSeconds(5)).build())
                .bindAddress("127.0.0.1").inboundPort(0).outboundPort(0).eventLoops(1).build().start();
        running.add(0, webProxy);
        Await.until("web's proxy ready", PROPAGATION_LIMIT, webProxy::ready);
    }

    @AfterEach
    void stopAll() throws Exception {
        // Newest first; every part is closed even when one fails, and the first failure is reported.
        Exception first = null;
        for (AutoCloseable part : running) {
            try {
                part.close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        running.clear();
        if (first != null) {
            throw first;
        }
    }

    @Test
    @DisplayName("GIVEN the pod registration watching the mesh's pods WHEN a Ready pod of api is created "
            + "THEN Cloud Map and web's proxy hold its IP on the inbound port, AND WHEN the pod is deleted THEN neither does")
    void readyPodReachesTheProxyAndLeavesWithIt() throws InterruptedException {
        watching(registrar);

        long created = System.nanoTime();
        client.pods().inNamespace(NAMESPACE).resource(pod("api-1", "10.1.0.5")).create();
        Duration toCloudMap = Await.until("api-1 discovered", PROPAGATION_LIMIT, () -> discovered().size() == 1,
                this::discovered);
        Await.until("api-1 in web's snapshot", PROPAGATION_LIMIT, () -> apiEndpoints().size() == 1,
                this::apiEndpoints);
        Duration toSnapshot = Duration.ofNanos(System.nanoTime() - created);

        assertThat(discovered()).singleElement().satisfies(instance -> {
            assertThat(instance.address()).isEqualTo("10.1.0.5");
            assertThat(instance.port()).isEqualTo(MeshPorts.INBOUND);
            assertThat(instance.version()).isEqualTo("v1");
            assertThat(instance.workload()).isEqualTo(NAMESPACE + "/api-1");
            assertThat(instance.healthy()).isTrue();
        });
        assertThat(apiEndpoints()).singleElement().satisfies(endpoint -> {
            assertThat(endpoint.address()).isEqualTo("10.1.0.5");
            assertThat(endpoint.port()).isEqualTo(MeshPorts.INBOUND);
            assertThat(endpoint.workload()).isEqualTo(NAMESPACE + "/api-1");
        });

        long deleted = System.nanoTime();
        client.pods().inNamespace(NAMESPACE).withName("api-1").delete();
        Await.until("api-1 gone from web's snapshot", PROPAGATION_LIMIT, () -> apiEndpoints().isEmpty(),
                this::apiEndpoints);
        Duration toRemoval = Duration.ofNanos(System.nanoTime() - deleted);

        assertThat(discovered()).isEmpty();
        System.out.printf("figure eks pod-created->cloud-map=%d ms pod-created->web-snapshot=%d ms "
                + "pod-deleted->web-snapshot=%d ms%n", toCloudMap.toMillis(), toSnapshot.toMillis(), toRemoval.toMillis());
    }

    @Test
    @DisplayName("GIVEN a registered pod and a registration that stopped, while a second pod became Ready "
            + "WHEN a new registration resyncs and watches THEN Cloud Map holds exactly one record per pod, and web's proxy each pod once")
    void restartedRegistrationMakesNoDuplicates() throws InterruptedException {
        PodRegistration first = watching(registrar);
        client.pods().inNamespace(NAMESPACE).resource(pod("api-1", "10.1.0.5")).create();
        Await.until("api-1 discovered", PROPAGATION_LIMIT, () -> discovered().size() == 1, this::discovered);
        first.close();
        client.pods().inNamespace(NAMESPACE).resource(pod("api-2", "10.1.0.6")).create();

        // A new process: its own registrar (no cached service ids), a resync, then the watch.
        PodRegistration second = new PodRegistration(client, CloudMapRegistrar.of(aws.clients().serviceDiscovery()),
                MESH);
        running.add(0, second);
        int changes = second.resync();
        second.start(Duration.ofMinutes(10));
        // The informer's first listing applies api-1 and api-2 again. Its events are handled in order,
        // so once api-3 (created after) is in Cloud Map, those re-registrations are done too.
        client.pods().inNamespace(NAMESPACE).resource(pod("api-3", "10.1.0.7")).create();
        Await.until("api-3 discovered", PROPAGATION_LIMIT, () -> discovered().size() == 3, this::discovered);

        assertThat(changes).as("changes made by the new registration's resync: the missed pod only").isEqualTo(1);
        assertThat(instanceRecords()).as("Cloud Map instance records of api")
                .containsExactlyInAnyOrder(NAMESPACE + "/api-1", NAMESPACE + "/api-2", NAMESPACE + "/api-3");
        assertThat(discovered()).extracting(DiscoveredInstance::address)
                .containsExactlyInAnyOrder("10.1.0.5", "10.1.0.6", "10.1.0.7");
        Await.until("web's snapshot with the three pods", PROPAGATION_LIMIT, () -> apiEndpoints().size() == 3,
                this::apiEndpoints);
        assertThat(apiEndpoints()).extracting(Endpoint::address)
                .containsExactlyInAnyOrder("10.1.0.5", "10.1.0.6", "10.1.0.7");
    }

    private PodRegistration watching(CloudMapRegistrar into) {
        PodRegistration registration = new PodRegistration(client, into, MESH).start(Duration.ofMinutes(10));
        running.add(0, registration);
        return registration;
    }

    private List<Endpoint> apiEndpoints() {
        return Optional.ofNullable(webProxy.currentSnapshot().get())
                .flatMap(snapshot -> snapshot.cluster(WebCallsApi.API_CLUSTER)).map(Cluster::endpoints)
                .orElse(List.of());
    }

    /** What the controller's registry reads: DiscoverInstances of api in the mesh's namespace. */
    private List<DiscoveredInstance> discovered() {
        return directory.discover(CloudMapNames.namespace(MESH), WebCallsApi.API);
    }

    /** Every instance record of api's Cloud Map service, duplicates included, by instance id. */
    private List<String> instanceRecords() {
        String serviceId = registrar.ensureService(MESH, WebCallsApi.API);
        List<String> ids = new ArrayList<>();
        aws.clients().serviceDiscovery().listInstancesPaginator(r -> r.serviceId(serviceId))
                .forEach(page -> page.instances().forEach(i -> ids.add(i.id())));
        return ids;
    }

    private static Pod pod(String name, String ip) {
        return new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(NAMESPACE)
                    .withLabels(Map.of(WorkloadLabels.MESH, MESH, WorkloadLabels.SERVICE, WebCallsApi.API,
                            WorkloadLabels.VERSION, "v1"))
                .endMetadata()
                .withNewSpec().addNewContainer().withName("api").withImage("api:1").endContainer().endSpec()
                .withNewStatus().withPodIP(ip)
                    .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .endStatus()
                .build();
    }
}
