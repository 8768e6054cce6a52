package dev.trellis.ca.client;

import dev.trellis.ca.tls.CertificateSource;
import dev.trellis.ca.tls.RevocationCheck;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;

/**
 * Keeps the proxy's copy of the mesh CA's CRL ({@code GET <controller>/v1/crl}) and answers, on
 * every handshake, whether a peer's leaf is on it. Every refresh interval (30 s by default) the CRL
 * is fetched, and accepted only if a root of the proxy's current trust bundle signed it and its CRL
 * number is not lower than the last one accepted (no replay of an older list).
 *
 * <p>When a CRL cannot be fetched or is refused, the last good one stays in force and the outcome is
 * counted ({@link Outcome#UNREACHABLE}, {@link Outcome#INVALID}) and logged. Neither fail-open (forget
 * the list) nor fail-closed (refuse every peer while the controller is away): leaves live 24 h, so a
 * revoked leaf the proxy cannot hear about stays usable at most until it expires, while refusing
 * everyone would turn a controller outage into a mesh outage. An alarm on the outcome counts or on
 * {@link #lastUpdate()} shows the gap.
 *
 * <pre>{@code
 * RevocationListClient crl = RevocationListClient.builder()
 *         .controller(URI.create("http://controller:9090")).trust(certificates).build();
 * crl.start();
 * MeshTls.builder().trustDomain(td).revocations(crl).build();
 * }</pre>
 */
public final class RevocationListClient implements RevocationCheck, AutoCloseable {

    /** The path of the CRL on the controller. */
    public static final String PATH = "/v1/crl";

    private static final System.Logger LOG = System.getLogger(RevocationListClient.class.getName());

    /** What one refresh came to. */
    public enum Outcome {
        /** A CRL was fetched, verified and is now in force. */
        UPDATED,
        /** The controller did not answer or answered with an error: the last good CRL stays. */
        UNREACHABLE,
        /** The CRL was unreadable, not signed by a mesh root, or older than the one in force: the last good CRL stays. */
        INVALID
    }

    /** The CRL in force: its serials and numbers, for the handshake path. */
    private record Accepted(Set<BigInteger> serials, BigInteger number, Instant thisUpdate, Instant nextUpdate, Instant fetchedAt) {
    }

    private final URI endpoint;
    private final CertificateSource trust;
    private final Duration refreshInterval;
    private final Duration timeout;
    private final Clock clock;
    private final HttpClient http;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final Map<Outcome, LongAdder> outcomes = new EnumMap<>(Outcome.class);
    private final List<Consumer<X509CRL>> listeners = new CopyOnWriteArrayList<>();
    private final Object refreshLock = new Object();
    private volatile Accepted accepted;
    private volatile String lastFailure;

    private RevocationListClient(Builder builder) {
        this.endpoint = builder.controller.resolve(PATH);
        this.trust = builder.trust;
        this.refreshInterval = builder.refreshInterval;
        this.timeout = builder.timeout;
        this.clock = builder.clock;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
        this.ownsScheduler = builder.scheduler == null;
        this.scheduler = ownsScheduler ? Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "trellis-crl-client");
            thread.setDaemon(true);
            return thread;
        }) : builder.scheduler;
        for (Outcome outcome : Outcome.values()) {
            outcomes.put(outcome, new LongAdder());
        }
    }

    /** A builder; the controller and the trust source are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Fetches now and then every refresh interval. */
    public RevocationListClient start() {
        scheduler.scheduleWithFixedDelay(this::refresh, 0, refreshInterval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Fetches once now, whatever the schedule; completes with the outcome. */
    public CompletableFuture<Outcome> refreshNow() {
        return CompletableFuture.supplyAsync(this::refresh, scheduler);
    }

    @Override
    public boolean isRevoked(X509Certificate leaf) {
        Accepted current = accepted;
        return current != null && current.serials().contains(leaf.getSerialNumber());
    }

    /** Refreshes that came to {@code outcome} so far. */
    public long count(Outcome outcome) {
        return outcomes.get(outcome).sum();
    }

    /** When the CRL in force was fetched; empty before the first. */
    public Optional<Instant> lastUpdate() {
        Accepted current = accepted;
        return current == null ? Optional.empty() : Optional.of(current.fetchedAt());
    }

    /** The CRL number in force; empty before the first. */
    public Optional<BigInteger> crlNumber() {
        Accepted current = accepted;
        return current == null ? Optional.empty() : Optional.of(current.number());
    }

    /** Why the last refresh failed, if it did. */
    public Optional<String> lastFailure() {
        return Optional.ofNullable(lastFailure);
    }

    /** Calls {@code listener} with every accepted CRL whose revoked serials differ from the one before, on the refresh thread. */
    public void onUpdate(Consumer<X509CRL> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void close() {
        if (ownsScheduler) {
            scheduler.shutdownNow();
        }
    }

    private Outcome refresh() {
        synchronized (refreshLock) {
            Outcome outcome;
            try {
                Accepted before = accepted;
                X509CRL crl = verify(fetch());
                lastFailure = null;
                outcome = Outcome.UPDATED;
                boolean changed = before == null || !before.serials().equals(accepted.serials());
                for (Consumer<X509CRL> listener : changed ? listeners : List.<Consumer<X509CRL>>of()) {
                    try {
                        listener.accept(crl);
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.ERROR, "CRL listener failed", e);
                    }
                }
            } catch (Unreachable e) {
                outcome = fail(Outcome.UNREACHABLE, e.getMessage());
            } catch (Invalid e) {
                outcome = fail(Outcome.INVALID, e.getMessage());
            } catch (RuntimeException e) {
                outcome = fail(Outcome.INVALID, String.valueOf(e));
            }
            outcomes.get(outcome).increment();
            return outcome;
        }
    }

    private Outcome fail(Outcome outcome, String message) {
        lastFailure = message;
        Accepted current = accepted;
        LOG.log(System.Logger.Level.WARNING, "CRL not refreshed ({0}), {1}: {2}", outcome,
                current == null ? "no CRL yet" : "keeping CRL number " + current.number() + " fetched " + current.fetchedAt(), message);
        return outcome;
    }

    private byte[] fetch() throws Unreachable {
        HttpRequest get = HttpRequest.newBuilder(endpoint).timeout(timeout).header("Accept", "application/pkix-crl").GET().build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(get, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new Unreachable("GET " + endpoint + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("GET " + endpoint + ": interrupted");
        }
        if (response.statusCode() != 200) {
            throw new Unreachable("GET " + endpoint + ": HTTP " + response.statusCode() + " (expected: 200 with a CRL)");
        }
        return response.body();
    }

    private X509CRL verify(byte[] der) throws Invalid {
        X509CRL crl;
        try {
            crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new Invalid("CRL from " + endpoint + ": unreadable (expected: a DER X.509 CRL): " + e.getMessage());
        }
        List<X509Certificate> bundle = trust.current().trustBundle();
        boolean signedByMeshRoot = bundle.stream()
                .filter(root -> root.getSubjectX500Principal().equals(crl.getIssuerX500Principal()))
                .anyMatch(root -> {
                    try {
                        crl.verify(root.getPublicKey());
                        return true;
                    } catch (GeneralSecurityException e) {
                        return false;
                    }
                });
        if (!signedByMeshRoot) {
            throw new Invalid("CRL issuer: " + crl.getIssuerX500Principal() + " (expected: signed by one of "
                    + bundle.size() + " mesh roots of the trust bundle)");
        }
        BigInteger number = crlNumber(crl);
        Accepted current = accepted;
        if (current != null && number.compareTo(current.number()) < 0) {
            throw new Invalid("CRL number: " + number + " (expected: at least " + current.number() + ", the one in force)");
        }
        Set<BigInteger> serials = new HashSet<>();
        Set<? extends X509CRLEntry> entries = crl.getRevokedCertificates();
        if (entries != null) {
            for (X509CRLEntry entry : entries) {
                serials.add(entry.getSerialNumber());
            }
        }
        Instant now = clock.instant();
        Instant nextUpdate = crl.getNextUpdate() == null ? null : crl.getNextUpdate().toInstant();
        if (nextUpdate != null && now.isAfter(nextUpdate)) {
            // The CA re-signs long before nextUpdate; a late one means clocks differ. Still newer than what we hold.
            LOG.log(System.Logger.Level.WARNING, "CRL number {0} is past its nextUpdate {1}; using it, it is the newest", number.toString(), nextUpdate);
        }
        accepted = new Accepted(Set.copyOf(serials), number, crl.getThisUpdate().toInstant(), nextUpdate, now);
        if (current == null || !current.serials().equals(serials)) {
            LOG.log(System.Logger.Level.INFO, "CRL number {0} in force: {1} revoked serial(s)", number.toString(), serials.size());
        }
        return crl;
    }

    private static BigInteger crlNumber(X509CRL crl) throws Invalid {
        byte[] value = crl.getExtensionValue(Extension.cRLNumber.getId());
        if (value == null) {
            throw new Invalid("CRL number: none (expected: a CRL number extension)");
        }
        try {
            return CRLNumber.getInstance(JcaX509ExtensionUtils.parseExtensionValue(value)).getCRLNumber();
        } catch (IOException | RuntimeException e) {
            throw new Invalid("CRL number: unreadable (expected: an integer): " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        Accepted current = accepted;
        return current == null ? "CRL from " + endpoint + ": none yet"
                : "CRL number " + current.number() + " from " + endpoint + ", thisUpdate " + current.thisUpdate();
    }

    private static final class Unreachable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreachable(String message) {
            super(message);
        }
    }

    private static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;

        Invalid(String message) {
            super(message);
        }
    }

    /** Builds a {@link RevocationListClient}. */
    public static final class Builder {
        private URI controller;
        private CertificateSource trust;
        private Duration refreshInterval = Duration.ofSeconds(30);
        private Duration timeout = Duration.ofSeconds(10);
        private Clock clock = Clock.systemUTC();
        private ScheduledExecutorService scheduler;

        private Builder() {
        }

        /** The controller's base URL; the CRL is at {@value #PATH} under it. Required. */
        public Builder controller(URI controller) {
            this.controller = controller;
            return this;
        }

        /** Where the trust bundle comes from (the proxy's {@link CertificateClient}): CRLs must be signed by one of its roots. Required. */
        public Builder trust(CertificateSource trust) {
            this.trust = trust;
            return this;
        }

        /** How often the CRL is fetched, 1 second to 1 hour; 30 s by default. */
        public Builder refreshInterval(Duration refreshInterval) {
            this.refreshInterval = refreshInterval;
            return this;
        }

        /** Connect and request timeout; 10 s by default. */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** The clock; system UTC by default. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The scheduler refreshes run on; a daemon thread of this client's own by default (shut down on close). */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        public RevocationListClient build() {
            if (controller == null || !controller.isAbsolute() || controller.getHost() == null) {
                throw new IllegalArgumentException("controller: " + controller + " (expected: an absolute URI such as http://127.0.0.1:9090)");
            }
            Objects.requireNonNull(trust, "trust");
            if (refreshInterval == null || refreshInterval.compareTo(Duration.ofSeconds(1)) < 0
                    || refreshInterval.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("refreshInterval: " + refreshInterval + " (expected: PT1S..PT1H)");
            }
            return new RevocationListClient(this);
        }
    }
}
