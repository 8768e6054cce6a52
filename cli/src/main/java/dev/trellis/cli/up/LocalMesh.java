package dev.trellis.cli.up;

import dev.trellis.ca.authority.MeshCa;
import dev.trellis.ca.client.CertificateClient;
import dev.trellis.ca.client.IssueTransport;
import dev.trellis.ca.client.ProofSource;
import dev.trellis.ca.identity.BootstrapTokenVerifier;
import dev.trellis.ca.identity.IdentityVerifiers;
import dev.trellis.ca.store.CaStore;
import dev.trellis.ca.tls.MeshTls;
import dev.trellis.aws.AwsClients;
import dev.trellis.cli.shop.ShopInstance;
import dev.trellis.cloudmap.Workload;
import dev.trellis.cloudmap.WorkloadKind;
import dev.trellis.cloudmap.registrar.CloudMapRegistrar;
import dev.trellis.cli.traffic.TrafficGenerator;
import dev.trellis.controller.Controller;
import dev.trellis.controller.registry.CloudMapRegistry;
import dev.trellis.controller.registry.InMemoryRegistry;
import dev.trellis.controller.registry.Registry;
import dev.trellis.controller.registry.RegisteredInstance;
import dev.trellis.controller.spec.FileSpecReader;
import dev.trellis.proxy.ProxyServer;
import dev.trellis.naming.CloudMapNames;
import dev.trellis.naming.SpiffeId;
import dev.trellis.proxy.metrics.ProxyMetrics;
import dev.trellis.snapshot.client.ControllerSnapshotSource;
import dev.trellis.snapshot.client.cloudmap.CloudMapDirectory;
import dev.trellis.spec.MeshSpec;
import dev.trellis.spec.MeshSpecs;
import dev.trellis.spec.TlsMode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A whole mesh on one machine, in this process: the controller in local mode (the spec file,
 * an in-memory registry, the mesh CA with a bootstrap token made for this run), and for every
 * instance of the topology an example service with its own proxy, registered in the controller;
 * each proxy proves itself with the token, gets a certificate for its service's SPIFFE identity
 * and speaks mTLS to its peers; then constant traffic into the entry service.
 * {@link #close()} stops all of it.
 */
public final class LocalMesh implements AutoCloseable {

    private final Controller controller;
    private final List<MeshInstance> instances;
    private final TrafficGenerator traffic;
    private final List<TrafficGenerator> probes;
    private final String mesh;
    private final Path specFile;

    private LocalMesh(Controller controller, List<MeshInstance> instances, TrafficGenerator traffic,
                      List<TrafficGenerator> probes, String mesh, Path specFile) {
        this.controller = controller;
        this.instances = instances;
        this.traffic = traffic;
        this.probes = probes;
        this.mesh = mesh;
        this.specFile = specFile;
    }

    /** One example service instance and its proxy. */
    public record MeshInstance(String name, String service, String version, ShopInstance app, ProxyServer proxy,
                               ControllerSnapshotSource source, ProxyMetrics metrics, CertificateClient certificates) {
    }

    /** Where instances are registered: the controller's memory, or Cloud Map on an emulator. */
    @FunctionalInterface
    private interface InstanceRegistrar {
        void register(String service, String name, int port, String version);
    }

    public static LocalMesh start(Path specFile, LocalTopology topology) throws IOException, InterruptedException {
        return start(specFile, topology, null);
    }

    /**
     * With {@code awsEndpoint} (an AWS API emulator such as the moto server), instances are
     * registered in Cloud Map (namespace {@code <mesh>.local}, created if missing) and the
     * controller reads them from there, as it does on AWS.
     */
    public static LocalMesh start(Path specFile, LocalTopology topology, URI awsEndpoint)
            throws IOException, InterruptedException {
        MeshSpec spec = MeshSpecs.read(specFile);
        topology.checkedAgainst(spec);
        Registry registry;
        InstanceRegistrar instanceRegistrar;
        AwsClients aws = null;
        if (awsEndpoint == null) {
            InMemoryRegistry memory = Registry.inMemory();
            registry = memory;
            instanceRegistrar = (service, name, port, version) -> memory.register(new RegisteredInstance(
                    service, name, "127.0.0.1", port, version, "local", true, "local:" + name));
        } else {
            aws = AwsClients.builder().region("us-east-1").endpointOverride(awsEndpoint)
                    .credentialsProvider(StaticCredentialsProvider.create(
                            AwsBasicCredentials.create("trellis-local", "trellis-local")))
                    .build();
            String namespace = CloudMapNames.namespace(spec.mesh());
            ensureNamespace(aws.serviceDiscovery(), namespace);
            registry = new CloudMapRegistry(CloudMapDirectory.of(aws.serviceDiscovery()), namespace,
                    Duration.ofSeconds(1));
            CloudMapRegistrar cloudMap = CloudMapRegistrar.of(aws.serviceDiscovery());
            instanceRegistrar = (service, name, port, version) -> cloudMap.register(Workload.builder()
                    .mesh(spec.mesh()).service(service).version(version).address("127.0.0.1").port(port)
                    .workload(WorkloadKind.LOCAL, name).healthy(true).build());
        }
        String bootstrapToken = newToken();
        MeshCa authority = MeshCa.builder().trustDomain(spec.trustDomain()).mesh(spec.mesh())
                .store(CaStore.inMemory()).build();
        Controller.Builder controllerBuilder = Controller.builder(new FileSpecReader(specFile), registry)
                .host("127.0.0.1").port(0).specInterval(Duration.ofSeconds(1))
                .certificates(authority, IdentityVerifiers.builder()
                        .bootstrap(BootstrapTokenVerifier.of(spec.trustDomain(), spec.mesh(), bootstrapToken)).build());
        if (aws != null) {
            controllerBuilder.closing(aws);
        }
        Controller controller = controllerBuilder.start();
        List<MeshInstance> instances = new ArrayList<>();
        List<TrafficGenerator> probes = new ArrayList<>();
        TrafficGenerator traffic = null;
        try {
            for (LocalTopology.Instance behaviour : topology.instances()) {
                for (int i = 1; i <= behaviour.count(); i++) {
                    String name = behaviour.service() + "-" + behaviour.version() + "-" + instances.size();
                    instances.add(startInstance(controller, instanceRegistrar, spec, bootstrapToken, behaviour, name));
                }
            }
            awaitReady(instances, Duration.ofSeconds(20));
            MeshInstance entry = first(instances, topology.traffic().entry());
            traffic = TrafficGenerator.start(topology.traffic().entry(),
                    URI.create("http://127.0.0.1:" + entry.proxy().inboundPort() + topology.traffic().path()),
                    "GET", topology.traffic().ratePerSecond());
            for (LocalTopology.Probe probe : topology.traffic().probes()) {
                MeshInstance from = first(instances, probe.from());
                probes.add(TrafficGenerator.start(probe.from() + "->" + probe.to(),
                        URI.create("http://127.0.0.1:" + from.proxy().inboundPort() + "/probe/" + probe.to()
                                + "?method=" + probe.method() + "&path=" + probe.path()),
                        "GET", probe.ratePerSecond()));
            }
            return new LocalMesh(controller, List.copyOf(instances), traffic, List.copyOf(probes), spec.mesh(), specFile);
        } catch (IOException | InterruptedException | RuntimeException e) {
            new LocalMesh(controller, instances, traffic, probes, spec.mesh(), specFile).close();
            throw e;
        }
    }

    private static MeshInstance startInstance(Controller controller, InstanceRegistrar registrar, MeshSpec spec,
                                              String bootstrapToken, LocalTopology.Instance behaviour, String name)
            throws IOException, InterruptedException {
        CertificateClient certificates = spec.tls() == TlsMode.DISABLED ? null : CertificateClient.builder()
                .identity(SpiffeId.of(spec.trustDomain(), spec.mesh(), behaviour.service()))
                .transport(IssueTransport.http(controller.uri()))
                .proofs(ProofSource.bootstrapToken(bootstrapToken))
                .build();
        if (certificates != null) {
            try {
                certificates.start().get(20, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                certificates.close();
                throw new IllegalStateException("certificate of " + name + ": not issued by the controller's CA", e);
            }
        }
        ShopInstance app = ShopInstance.start(behaviour, name);
        ControllerSnapshotSource source = ControllerSnapshotSource.builder(controller.uri(), behaviour.service())
                .proxyId(name).wait(Duration.ofSeconds(20)).build();
        ProxyMetrics metrics = ProxyMetrics.builder().jvmMeters(false).build();
        // Instances of one service share the spec's app port on ECS or EKS (each has its own address);
        // on one machine each needs its own, hence appPort.
        ProxyServer.Builder proxyBuilder = ProxyServer.builder(source)
                .bindAddress("127.0.0.1").inboundPort(0).outboundPort(0).appPort(app.port()).eventLoops(1)
                .metrics(metrics);
        if (certificates != null) {
            proxyBuilder.tls(MeshTls.forTrustDomain(spec.trustDomain()).follow(certificates));
        }
        ProxyServer proxy = proxyBuilder.build().start();
        app.useOutboundProxy(proxy.outboundPort());
        registrar.register(behaviour.service(), name, proxy.inboundPort(), behaviour.version());
        return new MeshInstance(name, behaviour.service(), behaviour.version(), app, proxy, source, metrics,
                certificates);
    }

    /** The mesh's Cloud Map namespace, created on the emulator when missing (the CDK creates it on AWS). */
    private static void ensureNamespace(ServiceDiscoveryClient cloudMap, String namespace) throws InterruptedException {
        if (hasNamespace(cloudMap, namespace)) {
            return;
        }
        cloudMap.createHttpNamespace(r -> r.name(namespace).creatorRequestId("trellis-up-" + namespace));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!hasNamespace(cloudMap, namespace)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("namespace: " + namespace + " not created within 20s (expected: Cloud Map to create it)");
            }
            Thread.sleep(200);
        }
    }

    private static boolean hasNamespace(ServiceDiscoveryClient cloudMap, String namespace) {
        return cloudMap.listNamespacesPaginator(r -> { }).stream()
                .flatMap(page -> page.namespaces().stream())
                .anyMatch(n -> n.name().equals(namespace));
    }

    /** A bootstrap token for this run only: proxies of this process prove themselves with it. */
    private static String newToken() {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    private static void awaitReady(List<MeshInstance> instances, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            if (instances.stream().allMatch(i -> i.proxy().ready())) {
                return;
            }
            Thread.sleep(50);
        }
        List<String> waiting = instances.stream().filter(i -> !i.proxy().ready()).map(MeshInstance::name).toList();
        throw new IllegalStateException("proxies: " + waiting + " not ready after " + limit.toSeconds()
                + "s (expected: a snapshot from the controller)");
    }

    private static MeshInstance first(List<MeshInstance> instances, String service) {
        return instances.stream().filter(i -> i.service().equals(service)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("service: " + service + " (expected: a service with an instance)"));
    }

    public String mesh() {
        return mesh;
    }

    public Path specFile() {
        return specFile;
    }

    public Controller controller() {
        return controller;
    }

    public List<MeshInstance> instances() {
        return instances;
    }

    public TrafficGenerator traffic() {
        return traffic;
    }

    public List<TrafficGenerator> probes() {
        return probes;
    }

    @Override
    public void close() {
        if (traffic != null) {
            traffic.close();
        }
        probes.forEach(TrafficGenerator::close);
        for (MeshInstance instance : instances) {
            instance.proxy().close();
            instance.source().close();
            instance.app().close();
            instance.metrics().close();
            if (instance.certificates() != null) {
                instance.certificates().close();
            }
        }
        controller.close();
    }
}
