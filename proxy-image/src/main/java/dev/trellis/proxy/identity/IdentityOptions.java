package dev.trellis.proxy.identity;

import dev.trellis.aws.AwsClients;
import dev.trellis.ca.client.CertificateClient;
import dev.trellis.ca.client.IssueTransport;
import dev.trellis.ca.client.ProofSource;
import dev.trellis.ca.tls.MeshTls;
import dev.trellis.ca.tls.TlsContexts;
import dev.trellis.naming.SpiffeId;
import dev.trellis.snapshot.ProxySnapshot;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Option;

/**
 * The command line's mesh identity options (a picocli mixin of {@code Main}). Without
 * {@code --controller} the proxy speaks plaintext; with it, the proxy proves its identity
 * (bootstrap token locally, service account token on EKS, presigned STS call on ECS), gets a
 * certificate for the snapshot's SPIFFE ID before it starts, and renews it at 2/3 of its life.
 */
public final class IdentityOptions {

    /** How the proxy proves who it is. */
    public enum Proof { BOOTSTRAP, K8S_TOKEN, AWS_STS }

    @Option(names = "--controller", defaultValue = "${env:TRELLIS_CONTROLLER_URL}",
            description = "Controller URL: snapshots (without --snapshot) and mesh certificates (POST <url>/v1/certificates,"
                    + " with --identity-proof); default $TRELLIS_CONTROLLER_URL; none: a snapshot file and no TLS.")
    URI controller;

    @Option(names = "--mtls", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "With --controller, get a mesh certificate and speak mTLS (default: ${DEFAULT-VALUE}).")
    boolean mtls = true;

    @Option(names = "--identity-proof", description = "BOOTSTRAP (local), K8S_TOKEN (EKS) or AWS_STS (ECS) (default: ${DEFAULT-VALUE}).")
    Proof proof = Proof.BOOTSTRAP;

    @Option(names = "--bootstrap-token", description = "Local mode's bootstrap token (default: $TRELLIS_BOOTSTRAP_TOKEN).")
    String bootstrapToken = System.getenv("TRELLIS_BOOTSTRAP_TOKEN");

    @Option(names = "--k8s-token-file", description = "Projected service account token (default: ${DEFAULT-VALUE}).")
    Path k8sTokenFile = Path.of("/var/run/secrets/trellis/token");

    @Option(names = "--crl-refresh", converter = CrlRefreshConverter.class,
            description = "How often the mesh CA's CRL is fetched from the controller (GET <url>/v1/crl), such as 30s;"
                    + " a revoked peer is refused within this long (default: 30s).")
    Duration crlRefresh = Duration.ofSeconds(30);

    @Option(names = "--sts-server-id", description = "The X-Trellis-Server-Id an AWS_STS proof is signed for (default: the controller's host).")
    String stsServerId;

    /** Whether the proxy is to speak mTLS: a controller to get certificates from, and not --no-mtls. */
    public boolean enabled() {
        return controller != null && mtls;
    }

    /** The controller's base URL, or null. */
    public URI controller() {
        return controller;
    }

    /**
     * Gets the first certificate for the snapshot's identity (waiting up to {@code timeout}) and
     * keeps it renewed. The caller closes the client on shutdown.
     *
     * @throws IllegalArgumentException when the chosen proof lacks what it needs
     */
    public CertificateClient startCertificateClient(ProxySnapshot snapshot, Duration timeout) throws Exception {
        CertificateClient client = CertificateClient.builder()
                .identity(SpiffeId.parse(snapshot.identity()))
                .transport(IssueTransport.http(controller))
                .proofs(proofSource())
                .build();
        try {
            client.start().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            client.close();
            throw e;
        }
        return client;
    }

    /**
     * The proxy's identity at run time over {@code certificates}: TLS contexts that refuse peers on the
     * mesh CA's CRL, fetched from the controller every {@code --crl-refresh}. The caller closes it.
     */
    public MeshIdentity startMeshIdentity(ProxySnapshot snapshot, CertificateClient certificates) {
        return MeshIdentity.start(snapshot.trustDomain(), certificates, controller, crlRefresh, certificates::renewNow);
    }

    /** The TLS contexts following {@code certificates}, for the snapshot's trust domain (no revocation checks). */
    public static TlsContexts tls(ProxySnapshot snapshot, CertificateClient certificates) {
        return MeshTls.forTrustDomain(snapshot.trustDomain()).follow(certificates);
    }

    /** Durations as in specs ({@code 30s}, {@code 1m}), with the project's {@link dev.trellis.spec.Durations}. */
    static final class CrlRefreshConverter implements picocli.CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return dev.trellis.spec.Durations.parse(value);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("--crl-refresh: " + value + " (expected: such as 10s, 30s or 1m)");
            }
        }
    }

    ProofSource proofSource() {
        return switch (proof) {
            case BOOTSTRAP -> {
                if (bootstrapToken == null || bootstrapToken.isBlank()) {
                    throw new IllegalArgumentException("--bootstrap-token: none (expected: a token, or $TRELLIS_BOOTSTRAP_TOKEN)");
                }
                yield ProofSource.bootstrapToken(bootstrapToken);
            }
            case K8S_TOKEN -> ProofSource.kubernetesTokenFile(k8sTokenFile);
            case AWS_STS -> {
                AwsClients aws = AwsClients.fromEnvironment();
                String region = aws.region().id();
                URI sts = aws.endpointOverride().orElse(URI.create("https://sts." + region + ".amazonaws.com"));
                yield ProofSource.awsSts(aws.credentialsProvider(), region, sts,
                        stsServerId != null ? stsServerId : controller.getHost());
            }
        };
    }
}
