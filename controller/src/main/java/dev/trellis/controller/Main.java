package dev.trellis.controller;

import dev.trellis.aws.AwsClients;
import dev.trellis.ca.authority.MeshCa;
import dev.trellis.ca.identity.AwsStsVerifier;
import dev.trellis.ca.identity.BootstrapTokenVerifier;
import dev.trellis.ca.identity.IdentityVerifiers;
import dev.trellis.ca.store.CaStore;
import dev.trellis.cloudmap.ecs.EcsTaskSource;
import dev.trellis.cloudmap.reconcile.CloudMapReconciler;
import dev.trellis.cloudmap.reconcile.ReconcileLoop;
import dev.trellis.cloudmap.registrar.CloudMapRegistrar;
import dev.trellis.controller.registry.CloudMapRegistry;
import dev.trellis.controller.registry.Registry;
import dev.trellis.controller.spec.FileSpecReader;
import dev.trellis.controller.spec.ParameterStore;
import dev.trellis.controller.spec.SpecReader;
import dev.trellis.controller.spec.SsmSpecReader;
import dev.trellis.naming.CloudMapNames;
import dev.trellis.snapshot.client.cloudmap.CloudMapDirectory;
import dev.trellis.naming.SsmPaths;
import dev.trellis.spec.MeshSpec;
import dev.trellis.spec.Durations;
import dev.trellis.spec.MeshSpecs;
import dev.trellis.spec.SpecParameters;
import dev.trellis.eks.inject.InjectorConfig;
import dev.trellis.eks.inject.SidecarInjector;
import dev.trellis.eks.registration.PodRegistration;
import dev.trellis.eks.webhook.AdmissionWebhook;
import dev.trellis.eks.webhook.CaBundleSync;
import dev.trellis.eks.webhook.KubernetesPodEvents;
import dev.trellis.eks.webhook.WebhookCertificates;
import dev.trellis.eks.webhook.WebhookServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code trellis-controller}: wires a spec source, a registry and the server from the command
 * line, then runs until stopped. Local mode:
 * <pre>
 * java -jar controller/target/trellis-controller.jar --spec-file examples/shop/mesh.yaml --port 9090
 * </pre>
 * Against AWS (or an emulator through {@code AWS_ENDPOINT_URL}), registering the tasks of ECS
 * clusters in Cloud Map with {@code cloudmap-sync}:
 * <pre>
 * java -jar trellis-controller.jar --mesh shop --registry cloudmap --namespace-id ns-123 --ecs-cluster prod --port 9090
 * </pre>
 * The mesh CA runs when a proof is configured: {@code --bootstrap-token} (local), or
 * {@code --role-service orders-task-role=orders} (ECS task roles), with {@code --ca-secret} on AWS.
 */
@Command(name = "trellis-controller", mixinStandardHelpOptions = true, version = "trellis-controller 0.1.0",
        description = "Serves proxy snapshots computed from the mesh spec and the registry.")
public final class Main implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec command;

    @ArgGroup(exclusive = true, multiplicity = "1")
    SpecChoice spec;

    static final class SpecChoice {
        @Option(names = "--spec-file", paramLabel = "<path>", description = "Local mode: the mesh spec, YAML or JSON.")
        Path file;

        @Option(names = "--mesh", paramLabel = "<name>", description = "Read the spec of this mesh from SSM (/trellis/<mesh>/...).")
        String mesh;
    }

    @Option(names = "--registry", defaultValue = "memory", paramLabel = "memory|cloudmap",
            description = "Where endpoints come from (default: ${DEFAULT-VALUE}).")
    RegistryKind registry;

    @Option(names = "--namespace-id", paramLabel = "<id>",
            description = "The Cloud Map namespace (default: the one named <mesh>.local).")
    String namespaceId;

    @Option(names = "--port", defaultValue = "9090", description = "Snapshots, registry API and status (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--spec-interval", defaultValue = "2s", converter = DurationConverter.class,
            description = "How often the spec is read (default: ${DEFAULT-VALUE}).")
    Duration specInterval;

    @Option(names = "--cloudmap-interval", defaultValue = "5s", converter = DurationConverter.class,
            description = "How often Cloud Map is read (default: ${DEFAULT-VALUE}).")
    Duration cloudMapInterval;

    @Option(names = "--ecs-cluster", paramLabel = "<cluster>",
            description = "Register the tasks of this ECS cluster in Cloud Map (repeatable; needs --registry cloudmap).")
    List<String> ecsClusters = new ArrayList<>();

    @Option(names = "--reconcile-interval", defaultValue = "30s", converter = DurationConverter.class,
            description = "How often ECS tasks are reconciled into Cloud Map (default: ${DEFAULT-VALUE}).")
    Duration reconcileInterval;

    @Option(names = "--bootstrap-token", paramLabel = "<secret>", defaultValue = "${env:TRELLIS_BOOTSTRAP_TOKEN}",
            description = "Run the mesh CA, accepting this token as proof of any mesh service (local mode;"
                    + " default: $TRELLIS_BOOTSTRAP_TOKEN).")
    String bootstrapToken;

    @Option(names = "--role-service", paramLabel = "<role>=<service>",
            description = "Run the mesh CA, accepting ECS task roles (presigned sts:GetCallerIdentity): this IAM role"
                    + " proves this service (repeatable).")
    Map<String, String> roleServices = new java.util.LinkedHashMap<>();

    @Option(names = "--sts-endpoint", paramLabel = "<uri>",
            description = "The STS endpoint proofs must be signed for (default: https://sts.<region>.amazonaws.com).")
    java.net.URI stsEndpoint;

    @Option(names = "--ca-server-id", defaultValue = "trellis-controller",
            description = "The server id proxies sign into their STS proofs (default: ${DEFAULT-VALUE}).")
    String caServerId;

    @Option(names = "--ca-file", defaultValue = ".trellis/ca.json", paramLabel = "<path>",
            description = "Where the mesh CA keeps its root when no --ca-secret is given (default: ${DEFAULT-VALUE}).")
    Path caFile;

    @Option(names = "--ca-secret", paramLabel = "<secret-id>",
            description = "Keep the mesh CA's root in this Secrets Manager secret.")
    String caSecret;

    @Option(names = "--eks", description = "Register the mesh's EKS pods in Cloud Map and serve the sidecar injector"
            + " webhook (needs --registry cloudmap and --proxy-image; Kubernetes config from the pod or KUBECONFIG).")
    boolean eks;

    @Option(names = "--proxy-image", paramLabel = "<image>", description = "The sidecar image the webhook injects.")
    String proxyImage;

    @Option(names = "--webhook-port", defaultValue = "9443", description = "The webhook's HTTPS port (default: ${DEFAULT-VALUE}).")
    int webhookPort;

    @Option(names = "--webhook-dns", paramLabel = "<name>", defaultValue = "trellis-injector.trellis.svc",
            split = ",", description = "DNS names of the webhook's certificate (default: ${DEFAULT-VALUE}).")
    List<String> webhookNames;

    @Option(names = "--webhook-configuration", defaultValue = "trellis-injector",
            description = "The MutatingWebhookConfiguration whose caBundle is kept in step (default: ${DEFAULT-VALUE}).")
    String webhookConfiguration;

    /** Where injected EKS proxies reach the controller unless --controller-url says otherwise. */
    static final String EKS_CONTROLLER_URL = "http://trellis-controller.trellis.svc:9090";

    @Option(names = "--controller-url", paramLabel = "<url>",
            description = "Where proxies reach this controller: the URL injected EKS proxies get (default there: "
                    + EKS_CONTROLLER_URL + ") and the base of the CRL distribution point in mesh certificates"
                    + " (default there: http://<--host>:<bound port>; none when --host is 0.0.0.0).")
    java.net.URI controllerUrl;

    @Option(names = "--admin-token", paramLabel = "<secret>", defaultValue = "${env:TRELLIS_ADMIN_TOKEN}",
            description = "With the mesh CA: accept POST /v1/revocations from callers presenting this token as"
                    + " 'Authorization: Bearer <token>' (at least 16 characters, not the bootstrap token, which every"
                    + " local proxy holds; default: $TRELLIS_ADMIN_TOKEN; none: revocations are refused).")
    String adminToken;

    @Option(names = "--ca-rotate-before", defaultValue = "720h", converter = DurationConverter.class, paramLabel = "<duration>",
            description = "With the mesh CA: stage a new root once the active one has less than this left, and let it sign one"
                    + " leaf lifetime later, when every proxy trusts it (default: ${DEFAULT-VALUE}, 30 days; checked hourly).")
    Duration caRotateBefore;

    @Option(names = "--ca-auto-rotate", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Rotate the mesh CA's root on the --ca-rotate-before schedule (default: true).")
    boolean caAutoRotate;

    @Option(names = "--native-sidecars", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Inject the proxy as a native sidecar (init container with restartPolicy Always; default: true).")
    boolean nativeSidecars;

    @Option(names = "--eks-resync", defaultValue = "5m", converter = DurationConverter.class,
            description = "How often every pod is compared with Cloud Map (default: ${DEFAULT-VALUE}).")
    Duration eksResync;

    /** The Kubernetes client for --eks; the pod's own config or KUBECONFIG, or a test's. */
    Supplier<KubernetesClient> kubernetes = () -> new KubernetesClientBuilder().build();

    enum RegistryKind { memory, cloudmap }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    /** Where AWS settings come from; the process environment, or a test's. */
    Map<String, String> environment = System.getenv();

    @Override
    public Integer call() throws Exception {
        Controller controller = start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            controller.close();
            stopped.countDown();
        }, "controller-shutdown"));
        stopped.await();
        return 0;
    }

    /** Parses the arguments and starts the controller they describe, without waiting: for tests. */
    static Controller startForTest(String... args) throws InterruptedException {
        Main main = new Main();
        new CommandLine(main).parseArgs(args);
        return main.start();
    }

    /** Wires and starts the controller the options describe. */
    Controller start() throws InterruptedException {
        if (eks && (registry != RegistryKind.cloudmap || proxyImage == null)) {
            throw new CommandLine.ParameterException(command.commandLine(), "--eks with --registry " + registry
                    + " and --proxy-image " + proxyImage + " (expected: --registry cloudmap and a --proxy-image)");
        }
        if (!ecsClusters.isEmpty() && registry != RegistryKind.cloudmap) {
            throw new CommandLine.ParameterException(command.commandLine(), "--ecs-cluster: " + ecsClusters
                    + " with --registry " + registry + " (expected: --registry cloudmap, where ECS tasks are registered)");
        }
        boolean ca = (bootstrapToken != null && !bootstrapToken.isBlank()) || !roleServices.isEmpty();
        AwsClients aws = spec.mesh != null || registry == RegistryKind.cloudmap || !roleServices.isEmpty()
                || caSecret != null ? AwsClients.fromEnvironment(environment) : null;
        SpecReader<?> reader = spec.file != null ? new FileSpecReader(spec.file)
                : new SsmSpecReader(spec.mesh, ParameterStore.of(aws.ssm()));
        Controller.Builder builder;
        // The DNS namespace of service host names in mesh certificates: the Cloud Map one when read from there.
        String caNamespace = null;
        if (registry == RegistryKind.memory) {
            builder = Controller.builder(reader, Registry.inMemory());
        } else {
            String mesh = spec.mesh != null ? spec.mesh : MeshSpecs.read(spec.file).mesh();
            String namespace = namespaceId != null
                    ? CloudMapRegistry.namespaceName(aws.serviceDiscovery(), namespaceId) : CloudMapNames.namespace(mesh);
            caNamespace = namespace;
            builder = Controller.builder(reader, new CloudMapRegistry(CloudMapDirectory.of(aws.serviceDiscovery()),
                    namespace, cloudMapInterval));
            if (!ecsClusters.isEmpty()) {
                // cloudmap-sync keeps Cloud Map equal to the clusters' tasks; the registry reads what it writes.
                CloudMapReconciler reconciler = CloudMapReconciler.builder()
                        .registrar(CloudMapRegistrar.builder().client(aws.serviceDiscovery())
                                .namespaceNaming(m -> namespace).build())
                        .tasks(EcsTaskSource.builder().client(aws.ecs()).mesh(mesh).clusters(ecsClusters).build())
                        .build();
                builder.closing(ReconcileLoop.builder(reconciler).interval(reconcileInterval).start());
            }
            if (eks) {
                startEks(builder, mesh, CloudMapRegistrar.builder().client(aws.serviceDiscovery())
                        .namespaceNaming(m -> namespace).build());
            }
        }
        // The CRL URL leaves carry: known before the port is bound only when --controller-url gives it.
        java.util.concurrent.atomic.AtomicReference<java.net.URI> crlUrl = new java.util.concurrent.atomic.AtomicReference<>(
                controllerUrl == null ? null : controllerUrl.resolve(MeshCa.CRL_PATH));
        if (adminToken != null && !adminToken.isBlank() && adminToken.equals(bootstrapToken)) {
            throw new CommandLine.ParameterException(command.commandLine(), "--admin-token: the bootstrap token"
                    + " (expected: a token of its own; every local proxy holds the bootstrap token)");
        }
        if (ca) {
            // The CA needs the mesh and trust domain before the first request: read the spec once now.
            MeshSpec current = spec.file != null ? MeshSpecs.read(spec.file)
                    : SpecParameters.fromParameters(spec.mesh, ParameterStore.of(aws.ssm())
                            .parametersUnder(SsmPaths.meshRoot(spec.mesh)));
            MeshCa authority = MeshCa.builder().trustDomain(current.trustDomain()).mesh(current.mesh())
                    .store(caSecret != null ? CaStore.secretsManager(aws.secretsManager(), caSecret) : CaStore.file(caFile))
                    .namespace(caNamespace)
                    .crlDistributionPoint(() -> java.util.Optional.ofNullable(crlUrl.get()))
                    .build();
            IdentityVerifiers.Builder verifiers = IdentityVerifiers.builder();
            if (bootstrapToken != null && !bootstrapToken.isBlank()) {
                verifiers.bootstrap(BootstrapTokenVerifier.of(current.trustDomain(), current.mesh(), bootstrapToken));
            }
            if (!roleServices.isEmpty()) {
                verifiers.awsSts(AwsStsVerifier.builder()
                        .stsEndpoint(stsEndpoint != null ? stsEndpoint
                                : java.net.URI.create("https://sts." + aws.region().id() + ".amazonaws.com"))
                        .serverId(caServerId).trustDomain(current.trustDomain()).mesh(current.mesh())
                        .roleToService(roleServices).build());
            }
            builder.certificates(authority, verifiers.build());
            if (adminToken != null && !adminToken.isBlank()) {
                builder.adminToken(adminToken);
            }
            if (caAutoRotate) {
                builder.caRotation(caRotateBefore, Duration.ofHours(1));
            }
        }
        if (aws != null) {
            builder.closing(aws);
        }
        Controller controller = builder.host(host).port(port).specInterval(specInterval).start();
        // Bound to one address: that is where the CRL is. Bound to every address: only --controller-url can say
        // which one others reach, and no distribution point beats a wrong one (proxies use their own --controller).
        if (!"0.0.0.0".equals(host) && !"::".equals(host)) {
            crlUrl.compareAndSet(null, java.net.URI.create("http://" + host + ":" + controller.port() + MeshCa.CRL_PATH));
        }
        org.slf4j.LoggerFactory.getLogger(Main.class).info(
                "event=controller.started port={} spec={} registry={} ecs_clusters={}", controller.port(),
                controller.specWatcher().source(), controller.registry().kind(), ecsClusters);
        return controller;
    }

    /** Pod registration (watch plus periodic resync) and the sidecar injector webhook with its own certificates. */
    private void startEks(Controller.Builder builder, String mesh, CloudMapRegistrar registrar) {
        KubernetesClient k8s = kubernetes.get();
        PodRegistration pods = new PodRegistration(k8s, registrar, mesh).start(eksResync);
        ScheduledExecutorService resync = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "eks-resync");
            t.setDaemon(true);
            return t;
        });
        // The informer re-applies pods it knows; resync() also removes instances of pods it never saw.
        resync.scheduleWithFixedDelay(() -> {
            try {
                pods.resync();
            } catch (RuntimeException e) {
                org.slf4j.LoggerFactory.getLogger(Main.class).warn("event=eks.resync.failed error=\"{}\"", e.toString());
            }
        }, eksResync.toMillis(), eksResync.toMillis(), TimeUnit.MILLISECONDS);
        WebhookCertificates certificates = WebhookCertificates.generate(webhookNames, Duration.ofDays(365));
        try {
            WebhookServer webhook = WebhookServer.start(new InetSocketAddress(host, webhookPort), certificates,
                    new AdmissionWebhook(new SidecarInjector(new InjectorConfig(mesh, proxyImage, null,
                            controllerUrl != null ? controllerUrl.toString() : EKS_CONTROLLER_URL,
                            nativeSidecars)), AdmissionWebhook.labelsOf(k8s), new KubernetesPodEvents(k8s)));
            builder.closing(webhook);
        } catch (IOException e) {
            throw new UncheckedIOException("webhook port: " + webhookPort + " (expected: a free port)", e);
        }
        new CaBundleSync(k8s, webhookConfiguration).apply(certificates.caPem());
        builder.closing(resync::shutdownNow).closing(pods).closing(k8s);
    }

    /** Durations as in specs: {@code 500ms}, {@code 2s}, {@code 1m} ({@link Durations}). */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
