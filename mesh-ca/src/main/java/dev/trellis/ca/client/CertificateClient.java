package dev.trellis.ca.client;

import dev.trellis.ca.api.IssueRequest;
import dev.trellis.ca.api.IssueResponse;
import dev.trellis.ca.pki.Csrs;
import dev.trellis.ca.pki.KeyPairs;
import dev.trellis.ca.pki.Pem;
import dev.trellis.ca.pki.SpiffeSans;
import dev.trellis.ca.tls.CertificateSource;
import dev.trellis.ca.tls.CertifiedKey;
import dev.trellis.naming.SpiffeId;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Keeps the proxy's certificate fresh. Each attempt generates a new EC P-256 key pair (the private
 * key never leaves the process), sends a CSR for the proxy's {@link SpiffeId} with a fresh proof,
 * and on success swaps the {@link CertifiedKey} and tells the rotation listeners (such as
 * {@link dev.trellis.ca.tls.TlsContexts}). The next renewal is due at two thirds of the lifetime;
 * when the CA cannot be reached the current certificate stays in use and attempts continue with
 * exponential backoff (1 s up to 1 min), so an alarm on {@link #secondsUntilExpiry()} has a third
 * of the lifetime (8 h by default) to fire before anything breaks.
 *
 * <pre>{@code
 * CertificateClient certificates = CertificateClient.builder()
 *         .identity(SpiffeId.of("example.org", "shop", "orders"))
 *         .transport(IssueTransport.http(URI.create("http://controller:8080")))
 *         .proofs(ProofSource.bootstrapToken(token))
 *         .build();
 * certificates.start().get(30, TimeUnit.SECONDS);   // the first certificate
 * }</pre>
 */
public final class CertificateClient implements CertificateSource, AutoCloseable {

    private static final System.Logger LOG = System.getLogger(CertificateClient.class.getName());

    private final SpiffeId identity;
    private final IssueTransport transport;
    private final ProofSource proofs;
    private final double renewAt;
    private final Duration minBackoff;
    private final Duration maxBackoff;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;

    private final AtomicReference<CertifiedKey> current = new AtomicReference<>();
    private final List<Consumer<CertifiedKey>> listeners = new CopyOnWriteArrayList<>();
    private final CompletableFuture<CertifiedKey> first = new CompletableFuture<>();
    private final Object attemptLock = new Object();
    /** One attempt at a time, even on a caller's multi-threaded scheduler or with {@link #renewNow()}. */
    private final Object fetchLock = new Object();
    private volatile String lastFailure;
    private volatile int consecutiveFailures;
    private ScheduledFuture<?> next;
    private boolean closed;

    private CertificateClient(Builder builder) {
        this.identity = builder.identity;
        this.transport = builder.transport;
        this.proofs = builder.proofs;
        this.renewAt = builder.renewAt;
        this.minBackoff = builder.minBackoff;
        this.maxBackoff = builder.maxBackoff;
        this.clock = builder.clock;
        this.ownsScheduler = builder.scheduler == null;
        this.scheduler = ownsScheduler ? Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "trellis-certificate-client");
            thread.setDaemon(true);
            return thread;
        }) : builder.scheduler;
    }

    /** A builder; identity, transport and proofs are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts asking for certificates; the future completes with the first one (it never fails, it retries). */
    public CompletableFuture<CertifiedKey> start() {
        schedule(Duration.ZERO);
        return first;
    }

    /** Asks for a new certificate now, whatever the schedule; completes when that attempt succeeds or fails. */
    public CompletableFuture<CertifiedKey> renewNow() {
        return CompletableFuture.supplyAsync(() -> {
            attempt();
            return current.get();
        }, scheduler);
    }

    /** The identity this client asks certificates for. */
    public SpiffeId identity() {
        return identity;
    }

    /**
     * The newest certificate.
     *
     * @throws IllegalStateException before the first certificate
     */
    @Override
    public CertifiedKey current() {
        CertifiedKey key = current.get();
        if (key == null) {
            throw new IllegalStateException("certificate: none yet for " + identity
                    + " (expected: start() to have succeeded once" + (lastFailure == null ? "" : "; last failure: " + lastFailure) + ")");
        }
        return key;
    }

    /** The newest certificate, if any. */
    public Optional<CertifiedKey> currentIfAny() {
        return Optional.ofNullable(current.get());
    }

    /** Seconds until the current certificate expires; 0 without one or once expired. For a gauge and an alarm. */
    public long secondsUntilExpiry() {
        CertifiedKey key = current.get();
        return key == null ? 0 : Math.max(0, Duration.between(clock.instant(), key.notAfter()).toSeconds());
    }

    /** Why the last attempt failed, if it did. */
    public Optional<String> lastFailure() {
        return Optional.ofNullable(lastFailure);
    }

    /** Attempts failed in a row since the last success. */
    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    @Override
    public void onRotation(Consumer<CertifiedKey> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void close() {
        synchronized (attemptLock) {
            closed = true;
            if (next != null) {
                next.cancel(false);
            }
        }
        if (ownsScheduler) {
            scheduler.shutdownNow();
        }
    }

    private void schedule(Duration delay) {
        synchronized (attemptLock) {
            if (closed) {
                return;
            }
            if (next != null) {
                next.cancel(false);
            }
            next = scheduler.schedule(this::attempt, Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
        }
    }

    private void attempt() {
        synchronized (fetchLock) {
            attemptOnce();
        }
    }

    private void attemptOnce() {
        try {
            CertifiedKey key = fetch();
            Instant received = clock.instant();
            current.set(key);
            consecutiveFailures = 0;
            lastFailure = null;
            Duration renewIn = Duration.ofMillis((long) (Duration.between(received, key.notAfter()).toMillis() * renewAt));
            LOG.log(System.Logger.Level.INFO, "certificate for {0} issued, serial {1}, expires {2}, renewal in {3}",
                    identity, key.leaf().getSerialNumber().toString(16), key.notAfter(), renewIn);
            for (Consumer<CertifiedKey> listener : listeners) {
                try {
                    listener.accept(key);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.ERROR, "certificate rotation listener failed", e);
                }
            }
            first.complete(key);
            schedule(renewIn);
        } catch (IssueFailedException | RuntimeException e) {
            int failures = ++consecutiveFailures;
            lastFailure = e.getMessage();
            Duration backoff = backoff(failures);
            LOG.log(System.Logger.Level.WARNING, "certificate for {0} not renewed (attempt {1}, retry in {2}, {3}s of the current one left): {4}",
                    identity, failures, backoff, secondsUntilExpiry(), e.getMessage());
            schedule(backoff);
        }
    }

    private Duration backoff(int failures) {
        long millis = minBackoff.toMillis() << Math.min(failures - 1, 20);
        return Duration.ofMillis(Math.min(millis, maxBackoff.toMillis()));
    }

    private CertifiedKey fetch() throws IssueFailedException {
        KeyPair pair = KeyPairs.generateP256();
        IssueRequest request = new IssueRequest(Pem.encodeCsr(Csrs.create(pair, identity)), proofs.next());
        IssueResponse response = transport.issue(request);
        List<X509Certificate> chain = Pem.decodeCertificates("certificateChainPem", response.certificateChainPem());
        List<X509Certificate> bundle = Pem.decodeCertificates("trustBundlePem", response.trustBundlePem());
        X509Certificate leaf = chain.get(0);
        if (!leaf.getPublicKey().equals(pair.getPublic())) {
            throw new IssueFailedException(200, "certificateChainPem: a leaf for another key (expected: the key of the CSR)", null);
        }
        List<String> uris = SpiffeSans.uris(leaf);
        if (!uris.equals(List.of(identity.uri()))) {
            throw new IssueFailedException(200, "certificateChainPem.uriSans: " + uris + " (expected: [" + identity + "])", null);
        }
        return new CertifiedKey(identity, pair.getPrivate(), chain, bundle);
    }

    @Override
    public String toString() {
        return "CertificateClient{" + identity + ", " + transport + "}";
    }

    /** Builds a {@link CertificateClient}. */
    public static final class Builder {
        private SpiffeId identity;
        private IssueTransport transport;
        private ProofSource proofs;
        private double renewAt = 2.0 / 3.0;
        private Duration minBackoff = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofMinutes(1);
        private Clock clock = Clock.systemUTC();
        private ScheduledExecutorService scheduler;

        private Builder() {
        }

        /** The identity to ask certificates for. Required. */
        public Builder identity(SpiffeId identity) {
            this.identity = identity;
            return this;
        }

        /** How to reach the CA. Required. */
        public Builder transport(IssueTransport transport) {
            this.transport = transport;
            return this;
        }

        /** Where proofs come from. Required. */
        public Builder proofs(ProofSource proofs) {
            this.proofs = proofs;
            return this;
        }

        /** The fraction of the remaining lifetime after which to renew, (0, 1); 2/3 by default. */
        public Builder renewAt(double fraction) {
            this.renewAt = fraction;
            return this;
        }

        /** Retry backoff after a failure: first wait, doubling up to the maximum; 1 s and 1 min by default. */
        public Builder backoff(Duration min, Duration max) {
            this.minBackoff = min;
            this.maxBackoff = max;
            return this;
        }

        /** The clock; system UTC by default. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The scheduler attempts run on; a daemon thread of this client's own by default (shut down on close). */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = scheduler;
            return this;
        }

        public CertificateClient build() {
            Objects.requireNonNull(identity, "identity");
            Objects.requireNonNull(transport, "transport");
            Objects.requireNonNull(proofs, "proofs");
            if (!(renewAt > 0 && renewAt < 1)) {
                throw new IllegalArgumentException("renewAt: " + renewAt + " (expected: between 0 and 1, such as 0.667)");
            }
            if (minBackoff == null || maxBackoff == null || minBackoff.isNegative() || minBackoff.isZero()
                    || maxBackoff.compareTo(minBackoff) < 0) {
                throw new IllegalArgumentException("backoff: " + minBackoff + ".." + maxBackoff + " (expected: 0 < min <= max)");
            }
            return new CertificateClient(this);
        }
    }
}
