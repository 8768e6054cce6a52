package dev.trellis.e2e.ecs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.cloudmap.ecs.EcsTaskSource;
import dev.trellis.cloudmap.reconcile.CloudMapReconciler;
import dev.trellis.cloudmap.reconcile.ReconcileResult;
import dev.trellis.cloudmap.registrar.CloudMapRegistrar;
import dev.trellis.controller.Controller;
import dev.trellis.controller.registry.CloudMapRegistry;
import dev.trellis.controller.spec.ParameterStore;
import dev.trellis.controller.spec.SpecRejection;
import dev.trellis.controller.spec.SsmSpecReader;
import dev.trellis.e2e.support.Await;
import dev.trellis.e2e.support.EcsTasks;
import dev.trellis.e2e.support.LocalApp;
import dev.trellis.e2e.support.MeshInSsm;
import dev.trellis.e2e.support.OneHostNetwork;
import dev.trellis.e2e.support.Traffic;
import dev.trellis.e2e.support.WebCallsApi;
import dev.trellis.naming.CloudMapNames;
import dev.trellis.proxy.ProxyServer;
import dev.trellis.snapshot.Cluster;
import dev.trellis.snapshot.Endpoint;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.VirtualService;
import dev.trellis.snapshot.client.ControllerSnapshotSource;
import dev.trellis.snapshot.client.cloudmap.CloudMapDirectory;
import dev.trellis.snapshot.client.cloudmap.DiscoveredInstance;
import dev.trellis.testing.aws.AwsEmulator;
import dev.trellis.testing.aws.WithAwsEmulator;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;

/**
 * ECS: tasks of {@code api} run in moto's ECS; cloudmap-sync's reconciler registers them in Cloud
 * Map; the controller reads the spec from SSM (as the CDK writes it) and the endpoints from
 * Cloud Map; proxies long-poll their snapshots from it. Each task is a real app and a real proxy
 * on this host (see {@link OneHostNetwork} for how task addresses map to loopback), and a {@code web}
 * app sends constant traffic to {@code api} through its own proxy the whole time.
 *
 * <p>Each test starts from one api task, registered and serving web's traffic.
 */
@WithAwsEmulator
class EcsTasksToProxiesTest {

    private static final String MESH = "shop";
    private static final String CLUSTER = "shop-prod";
    private static final Duration PROPAGATION_LIMIT = Duration.ofSeconds(10);
    private static final Duration API_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration WARM_UP_LIMIT = Duration.ofSeconds(30);
    private static final Duration SPEC_INTERVAL = Duration.ofMillis(250);
    private static final int REQUESTS_PER_SECOND = 25;

    private final AwsEmulator aws;
    private final List<AutoCloseable> running = new ArrayList<>();
    private EcsTasks ecs;
    private CloudMapReconciler reconciler;
    private CloudMapDirectory cloudMap;
    private Controller controller;
    private int apiPort;
    private ApiTask first;
    private ControllerSnapshotSource webSource;
    private ProxyServer webProxy;
    private Traffic traffic;
    /** When web's traffic first got answers: phases are counted from here (the warm-up is reported only). */
    private long warmedUp;

    EcsTasksToProxiesTest(AwsEmulator aws) {
        this.aws = aws;
    }

    /** One api task: its ECS task, its app and its proxy (the proxy bound where the task's ENI is, on this host). */
    private record ApiTask(String name, String taskArn, String vpcAddress, LocalApp app, ProxyServer proxy)
            implements AutoCloseable {
        @Override
        public void close() {
            proxy.close();
            app.close();
        }
    }

    @BeforeEach
    void oneApiTaskServingWeb() throws Exception {
        aws.reset();
        aws.setEcsTaskTransitionManual(1_000_000); // tasks stay RUNNING however often they are described
        ServiceDiscoveryClient serviceDiscovery = aws.clients().serviceDiscovery();
        serviceDiscovery.createHttpNamespace(r -> r.name(CloudMapNames.namespace(MESH)));
        new MeshInSsm(aws.clients().ssm()).put(WebCallsApi.spec(MESH, API_TIMEOUT));
        cloudMap = CloudMapDirectory.of(serviceDiscovery);

        ecs = new EcsTasks(aws, CLUSTER, MESH);
        running.add(ecs);
        ecs.registerService(WebCallsApi.API);
        apiPort = freePort();
        reconciler = CloudMapReconciler.builder()
                .registrar(CloudMapRegistrar.of(serviceDiscovery))
                .tasks(EcsTaskSource.builder().client(aws.clients().ecs()).mesh(MESH).clusters(CLUSTER).build())
                .port(apiPort)
                .build();
        controller = Controller.builder(new SsmSpecReader(MESH, ParameterStore.of(aws.clients().ssm())),
                        new CloudMapRegistry(cloudMap, CloudMapNames.namespace(MESH), Duration.ofMillis(200)))
                .host("127.0.0.1").port(0).specInterval(SPEC_INTERVAL).debounce(Duration.ofMillis(20)).start();
        running.add(0, controller);

        first = startApiTask("api-task-1");
        assertThat(reconciler.reconcile().registered()).as("first reconcile registers the first task").isEqualTo(1);

        int webOutboundPort = freePort();
        LocalApp webApp = LocalApp.calling(WebCallsApi.API, webOutboundPort);
        running.add(0, webApp);
        webSource = ControllerSnapshotSource.builder(controller.uri(), WebCallsApi.WEB).proxyId("web-1")
                .wait(Duration.ofSeconds(5)).build();
        webProxy = ProxyServer.builder(OneHostNetwork.seenFromThisHost(webSource))
                .bindAddress("127.0.0.1").appPort(webApp.port()).inboundPort(0).outboundPort(webOutboundPort)
                .eventLoops(1).build().start();
        running.add(0, webProxy);
        Await.until("web's proxy ready", PROPAGATION_LIMIT, webProxy::ready);
        Await.until("web's snapshot with the first task", PROPAGATION_LIMIT, () -> webHasEndpointOf(first),
                this::webApiEndpoints);

        traffic = Traffic.start(URI.create("http://127.0.0.1:" + webProxy.inboundPort() + "/hello"),
                REQUESTS_PER_SECOND, Duration.ofSeconds(10));
        running.add(0, traffic);
        long started = Traffic.now();
        // The first requests also load and compile the whole path; on a busy machine that takes a while.
        Await.until("web's first answers from api", WARM_UP_LIMIT,
                () -> traffic.answersSince(started, "api-task-1"::equals) >= 5, traffic::soFar);
        warmedUp = Traffic.now();
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
    @DisplayName("GIVEN web's constant traffic to one api task WHEN a second task runs and a reconcile follows "
            + "THEN Cloud Map and web's proxy hold it, traffic reaches both tasks, and no request fails")
    void scaleOut() throws Exception {
        ApiTask second = startApiTask("api-task-2");

        long reconcileStart = Traffic.now();
        ReconcileResult result = reconciler.reconcile();
        long reconciled = Traffic.now();
        assertThat(result.registered()).isEqualTo(1);
        assertThat(result.failures()).isEmpty();
        assertThat(discoveredApi()).extracting(DiscoveredInstance::address)
                .containsExactlyInAnyOrder(first.vpcAddress(), second.vpcAddress());

        Await.until("web's snapshot with the second task", PROPAGATION_LIMIT,
                () -> webHasEndpointOf(second), this::webApiEndpoints);
        long applied = Traffic.now();
        assertThat(controllerApiEndpoints()).as("the controller serves the ENI addresses, not loopback")
                .extracting(Endpoint::address).containsExactlyInAnyOrder(first.vpcAddress(), second.vpcAddress());
        Await.until("answers from both tasks after the new snapshot", PROPAGATION_LIMIT,
                () -> traffic.answersSince(applied, "api-task-1"::equals) >= 10
                        && traffic.answersSince(applied, "api-task-2"::equals) >= 10, traffic::soFar);

        List<Traffic.Phase> phases = traffic.stopAndSplit(List.of("warm-up", "one task", "two tasks"), warmedUp, applied);
        report("scale-out", phases, "reconcile / reconcile-end->web-snapshot",
                millis(reconcileStart, reconciled) + " ms / " + millis(reconciled, applied) + " ms");
        // Adding an endpoint never takes one away: no request may fail in any phase.
        assertThat(phases.subList(1, 3)).allSatisfy(phase -> assertThat(phase.failures()).as(phase.toString()).isEmpty());
        assertThat(phases.get(2).answeredBy()).containsOnlyKeys("api-task-1", "api-task-2");
    }

    @Test
    @DisplayName("GIVEN web's constant traffic to two api tasks WHEN the first is stopped (StopTask, its proxy drains) "
            + "and a reconcile follows THEN it leaves Cloud Map and web's proxy, and no request sent after that snapshot fails")
    void scaleIn() throws Exception {
        ApiTask second = startApiTask("api-task-2");
        assertThat(reconciler.reconcile().registered()).isEqualTo(1);
        Await.until("web's snapshot with the second task", PROPAGATION_LIMIT, () -> webHasEndpointOf(second),
                this::webApiEndpoints);
        long bothServing = Traffic.now();
        Await.until("answers from the second task", PROPAGATION_LIMIT,
                () -> traffic.answersSince(bothServing, "api-task-2"::equals) >= 5, traffic::soFar);

        long stopped = Traffic.now();
        ecs.stop(first.taskArn());
        first.proxy().startDrain(); // what the sidecar does on the SIGTERM that StopTask sends
        ReconcileResult result = reconciler.reconcile();
        assertThat(result.deregistered()).isEqualTo(1);
        assertThat(discoveredApi()).extracting(DiscoveredInstance::address).containsExactly(second.vpcAddress());

        long reconciled = Traffic.now();
        Await.until("web's snapshot without the first task", PROPAGATION_LIMIT,
                () -> !webHasEndpointOf(first), this::webApiEndpoints);
        long applied = Traffic.now();
        running.remove(first);
        first.close(); // the task exits
        Thread.sleep(1_500);

        List<Traffic.Phase> phases = traffic.stopAndSplit(List.of("warm-up", "two tasks", "stopping", "after"), warmedUp, stopped, applied);
        report("scale-in", phases, "stop-task+reconcile / reconcile-end->web-snapshot",
                millis(stopped, reconciled) + " ms / " + millis(reconciled, applied) + " ms");
        assertThat(webApiEndpoints()).extracting(Endpoint::address)
                .containsExactly(OneHostNetwork.loopbackOf(second.vpcAddress()));
        assertThat(phases.get(1).failures()).as(phases.get(1).toString()).isEmpty();
        // Exact bound: zero. A request sent after the proxy applied the snapshot without the first task
        // is routed among the remaining endpoints only (the snapshot is swapped atomically and read per
        // request), and the second task serves all along. The "stopping" phase is reported, not bounded:
        // requests routed to the draining task before the snapshot changed may fail, unless a retry masks it.
        Traffic.Phase after = phases.get(3);
        assertThat(after.sent()).isGreaterThanOrEqualTo(REQUESTS_PER_SECOND);
        assertThat(after.failures()).as(after.toString()).isEmpty();
        assertThat(after.answeredBy()).containsOnlyKeys("api-task-2");
    }

    @Test
    @DisplayName("GIVEN web's proxy serving WHEN api's request timeout changes in SSM THEN web's proxy applies it, "
            + "and no request fails")
    void specChangeReachesTheProxy() throws Exception {
        assertThat(apiRequestTimeout()).contains(API_TIMEOUT);
        Thread.sleep(500);

        long changed = Traffic.now();
        new MeshInSsm(aws.clients().ssm()).put(WebCallsApi.spec(MESH, API_TIMEOUT.plusSeconds(1)));
        Duration toSnapshot = Await.until("web's snapshot with the new timeout", PROPAGATION_LIMIT,
                () -> apiRequestTimeout().equals(Optional.of(API_TIMEOUT.plusSeconds(1))), this::apiRequestTimeout);
        long applied = Traffic.now();
        Thread.sleep(500);

        List<Traffic.Phase> phases = traffic.stopAndSplit(List.of("warm-up", "before", "changing", "after"), warmedUp, changed, applied);
        report("spec-change", phases, "ssm-put->web-snapshot", toSnapshot);
        assertThat(phases.subList(1, 4)).allSatisfy(phase -> assertThat(phase.failures()).as(phase.toString()).isEmpty());
    }

    @Test
    @DisplayName("GIVEN web's proxy serving WHEN an invalid api spec is put in SSM THEN the controller refuses it "
            + "naming the path, web keeps its snapshot, and no request fails")
    void invalidSpecChangeIsRefused() throws Exception {
        String heldVersion = webSource.appliedVersion().orElseThrow();
        String specVersion = controller.specWatcher().current().orElseThrow().version();
        String valid = MeshInSsm.serviceJson(WebCallsApi.spec(MESH, API_TIMEOUT), WebCallsApi.API);
        String invalid = valid.replace("\"attempts\":2", "\"attempts\":-1");
        assertThat(invalid).as("the edit applies to the parameter's JSON").isNotEqualTo(valid);

        new MeshInSsm(aws.clients().ssm()).putServiceJson(MESH, WebCallsApi.API, invalid);
        Await.until("the controller's rejection", PROPAGATION_LIMIT,
                () -> controller.specWatcher().lastRejection().isPresent());
        Thread.sleep(4 * SPEC_INTERVAL.toMillis()); // four more reads of the same bad spec

        SpecRejection rejection = controller.specWatcher().lastRejection().orElseThrow();
        assertThat(rejection.problems()).anySatisfy(problem -> assertThat(problem).contains("attempts").contains("-1"));
        assertThat(controller.specWatcher().current().orElseThrow().version()).isEqualTo(specVersion);
        assertThat(webSource.appliedVersion()).contains(heldVersion);
        assertThat(apiRequestTimeout()).contains(API_TIMEOUT);

        List<Traffic.Phase> phases = traffic.stopAndSplit(List.of("warm-up", "serving"), warmedUp);
        report("invalid-spec", phases, "problems", rejection.problems());
        assertThat(phases.get(1).failures()).as(phases.get(1).toString()).isEmpty();
        assertThat(phases.get(1).answeredBy()).containsOnlyKeys("api-task-1");
    }

    // --- the pieces of one host ---

    private ApiTask startApiTask(String name) throws IOException, InterruptedException {
        Task task = ecs.run(WebCallsApi.API, "v1");
        String vpcAddress = EcsTasks.privateIpv4(task);
        LocalApp app = LocalApp.answering(name);
        ControllerSnapshotSource source = ControllerSnapshotSource.builder(controller.uri(), WebCallsApi.API)
                .proxyId(name).wait(Duration.ofSeconds(5)).build();
        ProxyServer proxy;
        try {
            proxy = ProxyServer.builder(OneHostNetwork.seenFromThisHost(source))
                    .bindAddress(OneHostNetwork.loopbackOf(vpcAddress)).appPort(app.port())
                    .inboundPort(apiPort).outboundPort(0)
                    .eventLoops(1).build().start();
        } catch (RuntimeException e) {
            app.close();
            throw e;
        }
        ApiTask apiTask = new ApiTask(name, task.taskArn(), vpcAddress, app, proxy);
        running.add(0, apiTask);
        Await.until(name + "'s proxy ready", PROPAGATION_LIMIT, proxy::ready);
        return apiTask;
    }

    private boolean webHasEndpointOf(ApiTask task) {
        String address = OneHostNetwork.loopbackOf(task.vpcAddress());
        return webApiEndpoints().stream().anyMatch(e -> e.address().equals(address) && e.port() == apiPort);
    }

    private List<Endpoint> webApiEndpoints() {
        return Optional.ofNullable(webProxy.currentSnapshot().get())
                .flatMap(snapshot -> snapshot.cluster(WebCallsApi.API_CLUSTER)).map(Cluster::endpoints)
                .orElse(List.of());
    }

    private List<Endpoint> controllerApiEndpoints() {
        return controller.snapshots().sealNow(WebCallsApi.WEB).orElseThrow().snapshot()
                .cluster(WebCallsApi.API_CLUSTER).map(Cluster::endpoints).orElse(List.of());
    }

    private List<DiscoveredInstance> discoveredApi() {
        return cloudMap.discover(CloudMapNames.namespace(MESH), WebCallsApi.API);
    }

    private Optional<Duration> apiRequestTimeout() {
        ProxySnapshot snapshot = webProxy.currentSnapshot().get();
        return snapshot.outbound().services().stream().filter(s -> s.name().equals(WebCallsApi.API))
                .map(VirtualService::routes).flatMap(List::stream).findFirst()
                .map(route -> route.timeouts().request());
    }

    private static void report(String scenario, List<Traffic.Phase> phases, String figure, Object value) {
        System.out.printf("figure ecs.%s %s=%s%n", scenario, figure,
                value instanceof Duration d ? d.toMillis() + " ms" : value);
        phases.forEach(phase -> System.out.printf("figure ecs.%s phase %s%n", scenario, phase));
    }

    private static long millis(long fromNanos, long toNanos) {
        return Duration.ofNanos(toNanos - fromNanos).toMillis();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
