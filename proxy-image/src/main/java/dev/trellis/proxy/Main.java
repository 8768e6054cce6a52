package dev.trellis.proxy;

import dev.trellis.aws.AwsClients;
import dev.trellis.ca.client.CertificateClient;
import dev.trellis.proxy.identity.MeshIdentity;
import dev.trellis.naming.MeshPorts;
import dev.trellis.proxy.accesslog.AccessLog;
import dev.trellis.proxy.admin.AdminServer;
import dev.trellis.proxy.config.FileSnapshotSource;
import dev.trellis.proxy.config.PrimedSnapshotSource;
import dev.trellis.proxy.http.HttpLimits;
import dev.trellis.proxy.identity.IdentityOptions;
import dev.trellis.proxy.lifecycle.Drainer;
import dev.trellis.proxy.metrics.ProxyMetrics;
import dev.trellis.proxy.tcp.TcpOutboundListeners;
import dev.trellis.proxy.tcp.TcpProxy;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.SnapshotSource;
import dev.trellis.snapshot.client.ControllerSnapshotSource;
import dev.trellis.spec.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The sidecar's entry point: parses the command line and wires the proxy; nothing else. */
@Command(name = "trellis-proxy", mixinStandardHelpOptions = true,
        description = "The Trellis sidecar proxy: outbound and inbound HTTP/1.1, HTTP/2 and gRPC listeners.")
public final class Main implements Callable<Integer> {

    @Option(names = "--snapshot", description = "Proxy snapshot JSON file, watched for changes (static or local use; else --controller).")
    Path snapshot;

    @Option(names = "--service", defaultValue = "${env:TRELLIS_SERVICE}",
            description = "The mesh service this proxy serves, for snapshots from --controller (default: $TRELLIS_SERVICE).")
    String service;

    @Option(names = "--proxy-id", defaultValue = "${env:TRELLIS_PROXY_ID}",
            description = "This proxy's name in the controller's status, e.g. the task or pod (default: $TRELLIS_PROXY_ID, else <service>-<pid>).")
    String proxyId;

    @Option(names = "--snapshot-cache", description = "Where the last good snapshot from the controller is kept (default: ${DEFAULT-VALUE}).")
    Path snapshotCache = Path.of("/tmp/trellis/snapshot.json");

    @Option(names = "--first-snapshot-timeout", converter = DurationConverter.class,
            description = "How long to wait for the first snapshot before giving up, such as 60s (default: 60s).")
    Duration firstSnapshotTimeout = Duration.ofSeconds(60);

    @Option(names = "--outbound-port", description = "Outbound listener port (default: ${DEFAULT-VALUE}).")
    int outboundPort = MeshPorts.OUTBOUND;

    @Option(names = "--inbound-port", description = "Inbound listener port (default: ${DEFAULT-VALUE}).")
    int inboundPort = MeshPorts.INBOUND;

    @Option(names = "--app-port", defaultValue = "${env:TRELLIS_APP_PORT:-0}",
            description = "Local application port; overrides the snapshot's inbound.appPort (default: $TRELLIS_APP_PORT, else the snapshot's).")
    int appPort;

    @Option(names = "--admin-port", description = "Admin port (default: ${DEFAULT-VALUE}).")
    int adminPort = MeshPorts.ADMIN;

    @Option(names = "--bind", description = "Listener address (default: ${DEFAULT-VALUE}).")
    String bind = "0.0.0.0";

    @Option(names = "--max-header-size", description = "Largest request header block in bytes; more is 431 (default: ${DEFAULT-VALUE}).")
    int maxHeaderSize = HttpLimits.DEFAULT.maxHeaderSize();

    @Option(names = "--max-initial-line", description = "Longest request line in bytes; more is 414 (default: ${DEFAULT-VALUE}).")
    int maxInitialLine = HttpLimits.DEFAULT.maxInitialLineLength();

    @Option(names = "--retry-buffer", description = "Request body bytes kept for retries (default: ${DEFAULT-VALUE}).")
    int retryBuffer = HttpLimits.DEFAULT.retryBufferBytes();

    @Option(names = "--event-loops", description = "Event loop threads (default: available processors).")
    int eventLoops = Runtime.getRuntime().availableProcessors();

    @Option(names = "--admin-bind", description = "Admin port address; probes come from outside the task or pod (default: ${DEFAULT-VALUE}).")
    String adminBind = "0.0.0.0";

    @Option(names = "--access-log", description = "JSON access log: off, stdout, or a file to append to (default: ${DEFAULT-VALUE}).")
    String accessLog = "off";

    @Option(names = "--cloudwatch-namespace", description = "Also push metrics to CloudWatch under this namespace (region, credentials and AWS_ENDPOINT_URL from the environment).")
    String cloudWatchNamespace;

    @Option(names = "--cloudwatch-step", converter = DurationConverter.class, description = "CloudWatch publishing interval, such as 60s (default: 60s).")
    Duration cloudWatchStep = Duration.ofMinutes(1);

    @Option(names = "--drain-timeout", converter = DurationConverter.class, description = "On SIGTERM, how long requests in flight may take before they are cut, such as 20s (default: 20s).")
    Duration drainTimeout = Drainer.DEFAULT_DRAIN_TIMEOUT;

    @CommandLine.Mixin
    IdentityOptions identity = new IdentityOptions();

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        HttpLimits limits = HttpLimits.DEFAULT.withMaxHeaderSize(maxHeaderSize)
                .withMaxInitialLineLength(maxInitialLine).withRetryBufferBytes(retryBuffer);
        SnapshotSource source;
        if (snapshot != null) {
            source = FileSnapshotSource.of(snapshot);
        } else if (identity.controller() != null && service != null) {
            ControllerSnapshotSource.Builder controllerSource = ControllerSnapshotSource.builder(identity.controller(), service)
                    .snapshotFile(snapshotCache);
            if (proxyId != null) {
                controllerSource.proxyId(proxyId);
            }
            source = controllerSource.build();
        } else {
            System.err.println("--snapshot or --controller with --service: none (expected: a snapshot file, or a controller URL"
                    + " and the service, also from $TRELLIS_CONTROLLER_URL and $TRELLIS_SERVICE)");
            return 2;
        }
        PrimedSnapshotSource snapshots = PrimedSnapshotSource.prime(source, firstSnapshotTimeout);
        ProxySnapshot first = snapshots.first();
        AwsClients aws = cloudWatchNamespace == null ? null : AwsClients.fromEnvironment();
        ProxyMetrics.Builder metricsBuilder = ProxyMetrics.builder()
                .commonTag("mesh", first.mesh()).commonTag("local_service", first.service());
        if (aws != null) {
            metricsBuilder.cloudWatch(cloudWatchNamespace, aws).cloudWatchStep(cloudWatchStep);
        }
        ProxyMetrics metrics = metricsBuilder.build();
        AccessLog requests = AccessLog.fromTarget(accessLog, metrics.registry());
        // With --controller: a mesh certificate before any listener opens, so STRICT never serves plaintext.
        CertificateClient certificates = identity.enabled()
                ? identity.startCertificateClient(first, Duration.ofSeconds(30)) : null;
        MeshIdentity meshIdentity = certificates == null ? null : identity.startMeshIdentity(first, certificates);
        if (certificates != null) {
            metrics.certificateExpiry(certificates::secondsUntilExpiry);
            meshIdentity.bindMeters(metrics.registry());
        }
        ProxyServer proxy = ProxyServer.builder(snapshots)
                .bindAddress(bind).outboundPort(outboundPort).inboundPort(inboundPort).appPort(appPort)
                .limits(limits).eventLoops(eventLoops).metrics(metrics).accessLog(requests)
                .tls(meshIdentity == null ? null : meshIdentity.tls())
                .build();
        TcpOutboundListeners tcp = TcpOutboundListeners.start(first, proxy.currentSnapshot(), bind, metrics.registry());
        Drainer drainer = Drainer.builder()
                .onDrainStart(proxy::startDrain)
                .serverChannels(() -> Stream.concat(proxy.serverChannels().stream(), tcp.serverChannels().stream())
                        .toList())
                .activeConnections(() -> proxy.openConnections() + tcp.activeConnections())
                .drainTimeout(drainTimeout)
                .thenClose(certificates == null ? new AutoCloseable[] {proxy, tcp, requests}
                        : new AutoCloseable[] {proxy, tcp, requests, meshIdentity, certificates})
                .build();
        drainer.drainOnTermination();
        AdminServer admin = AdminServer.builder()
                .bindAddress(adminBind).port(adminPort)
                .metrics(metrics)
                .snapshot(proxy.currentSnapshot())
                .clusterHealth(proxy.clusterHealth())
                .readiness(() -> drainer.isDraining() ? Optional.of("draining")
                        : proxy.ready() ? Optional.empty() : Optional.of("no snapshot applied or listeners not bound"))
                .onDrain(drainer::drainAsync)
                .start();
        proxy.start();
        System.out.printf("trellis-proxy ready in %d ms (%s): outbound %d, inbound %d, admin %d, tcp %s, snapshot %s%n",
                (System.nanoTime() - started) / 1_000_000, proxy.transportName(), proxy.outboundPort(),
                proxy.inboundPort(), admin.port(), tcp.listeners().stream().map(TcpProxy::port).toList(),
                proxy.currentSnapshot().get().version());

        drainer.whenDrained().join();
        admin.close();
        metrics.close(); // the last CloudWatch step
        if (aws != null) {
            aws.close();
        }
        return 0;
    }

    /** Durations as in the mesh spec ({@code 500ms}, {@code 20s}, {@code 1m}), or ISO-8601 ({@code PT20S}). */
    /** Durations as in specs ({@link Durations}: 500ms, 20s, 1m), or ISO-8601 such as PT20S. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return Durations.parse(value);
            } catch (IllegalArgumentException notShort) {
                try {
                    return Duration.parse(value.strip());
                } catch (java.time.format.DateTimeParseException e) {
                    throw new CommandLine.TypeConversionException(
                            "duration: " + value + " (expected: such as 500ms, 20s, 1m or PT20S)");
                }
            }
        }
    }
}
