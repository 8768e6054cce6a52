package dev.trellis.proxy.identity;

import dev.trellis.ca.client.RevocationListClient;
import dev.trellis.ca.tls.CertificateSource;
import dev.trellis.ca.tls.MeshTls;
import dev.trellis.ca.tls.PeerRejection;
import dev.trellis.ca.tls.PeerRejections;
import dev.trellis.ca.tls.TlsContexts;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * The proxy's mesh identity while it runs: its certificate, the mesh CA's revocation list fetched
 * from the controller, and the TLS contexts whose peer checks use both. Each new CRL also closes the
 * inbound connections already open with a peer it revokes; when the proxy's own leaf shows up on it,
 * the proxy asks for a new certificate at once instead of waiting for the renewal.
 */
public final class MeshIdentity implements AutoCloseable {

    /** Counter of refused peer certificates, tagged {@code reason} ({@code revoked}, {@code wrong_ca}, ...). */
    public static final String PEER_REJECTIONS = "trellis.proxy.peer.rejections";
    /** Counter of CRL refreshes, tagged {@code outcome} ({@code updated}, {@code unreachable}, {@code invalid}). */
    public static final String CRL_REFRESHES = "trellis.proxy.crl.refreshes";
    /** Gauge: seconds since the CRL in force was fetched; NaN before the first. */
    public static final String CRL_AGE = "trellis.proxy.crl.age";

    private static final System.Logger LOG = System.getLogger(MeshIdentity.class.getName());

    private final CertificateSource certificates;
    private final RevocationListClient revocations;
    private final PeerRejections rejections = new PeerRejections();
    private final TlsContexts tls;

    private MeshIdentity(String trustDomain, CertificateSource certificates, RevocationListClient revocations, Runnable renew) {
        this.certificates = certificates;
        this.revocations = revocations;
        this.tls = MeshTls.builder().trustDomain(trustDomain).rejections(rejections).revocations(revocations).build()
                .follow(certificates);
        revocations.onUpdate(crl -> {
            if (crl.isRevoked(certificates.current().leaf())) {
                LOG.log(System.Logger.Level.WARNING, "this proxy''s certificate, serial {0}, is on the CRL: renewing now",
                        certificates.current().leaf().getSerialNumber().toString(16));
                renew.run();
            }
            int closed = tls.closeRevokedPeers(revocations);
            if (closed > 0) {
                LOG.log(System.Logger.Level.WARNING, "closed {0} inbound connection(s) of revoked peers", closed);
            }
        });
    }

    /**
     * Starts fetching the CRL from {@code controller} every {@code crlRefresh} and returns the identity;
     * {@code renew} asks for a new certificate (the certificate client's {@code renewNow}).
     */
    public static MeshIdentity start(String trustDomain, CertificateSource certificates, URI controller, Duration crlRefresh,
                                     Runnable renew) {
        Objects.requireNonNull(certificates, "certificates");
        Objects.requireNonNull(renew, "renew");
        RevocationListClient revocations = RevocationListClient.builder()
                .controller(controller).trust(certificates).refreshInterval(crlRefresh).build();
        MeshIdentity identity = new MeshIdentity(trustDomain, certificates, revocations, renew);
        revocations.start();
        return identity;
    }

    /** The TLS contexts of the proxy's listeners and upstream connections. */
    public TlsContexts tls() {
        return tls;
    }

    /** Refused peers by reason. */
    public PeerRejections rejections() {
        return rejections;
    }

    /** The CRL client. */
    public RevocationListClient revocations() {
        return revocations;
    }

    /** Registers the peer-rejection counters, CRL refresh counters and CRL age gauge; read at publication, off the request path. */
    public void bindMeters(MeterRegistry registry) {
        for (PeerRejection reason : PeerRejection.values()) {
            FunctionCounter.builder(PEER_REJECTIONS, rejections, r -> r.count(reason))
                    .description("Peer certificates refused in TLS handshakes, by reason")
                    .tag("reason", reason.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
        for (RevocationListClient.Outcome outcome : RevocationListClient.Outcome.values()) {
            FunctionCounter.builder(CRL_REFRESHES, revocations, r -> r.count(outcome))
                    .description("Refreshes of the mesh CA's CRL, by outcome (the last good CRL stays in force on failure)")
                    .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                    .register(registry);
        }
        Gauge.builder(CRL_AGE, revocations, r -> r.lastUpdate()
                        .map(at -> (double) Duration.between(at, Instant.now()).toSeconds()).orElse(Double.NaN))
                .description("Seconds since the CRL in force was fetched")
                .baseUnit("seconds")
                .register(registry);
    }

    @Override
    public void close() {
        revocations.close();
    }

    @Override
    public String toString() {
        return "MeshIdentity{" + tls.certifiedKey().identity() + ", " + revocations + "}";
    }
}
