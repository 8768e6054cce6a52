package dev.trellis.proxy.upstream;

import dev.trellis.naming.SpiffeId;
import dev.trellis.proxy.circuitbreaker.CircuitBreaker;
import dev.trellis.proxy.loadbalancer.BalancedHost;
import dev.trellis.proxy.outlier.HostHealth;
import dev.trellis.snapshot.Endpoint;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One endpoint of a cluster, as the proxy tracks it: its address (resolved once, off the event
 * loops), requests in flight, latency, outlier state, and one connection pool per event loop.
 * It is carried over to the next snapshot while the endpoint stays, so its pools and health do.
 */
public final class UpstreamHost implements BalancedHost {

    /** Decay time of the latency average: ten seconds, as Finagle's default. */
    private static final double EWMA_DECAY_NANOS = 10_000_000_000.0;

    private volatile Endpoint endpoint;
    private final InetSocketAddress address;
    private final boolean multiplexed;
    private final CircuitBreaker breaker;
    private final UpstreamConnector connector;
    private final SpiffeId peerIdentity;
    private final HostHealth health = new HostHealth();
    private final AtomicInteger inflight = new AtomicInteger();
    private final ConcurrentHashMap<EventLoop, ConnectionPool> pools = new ConcurrentHashMap<>();
    private volatile boolean retired;
    private volatile long idleTimeoutNanos = dev.trellis.spec.Timeouts.DEFAULT.idle().toNanos();
    private double ewmaNanos;
    private long ewmaStamp;

    public UpstreamHost(Endpoint endpoint, boolean multiplexed, CircuitBreaker breaker, UpstreamConnector connector) {
        this(endpoint, multiplexed, breaker, connector, null);
    }

    /** @param peerIdentity the SPIFFE ID the host must prove over mTLS, or null for plaintext */
    public UpstreamHost(Endpoint endpoint, boolean multiplexed, CircuitBreaker breaker, UpstreamConnector connector,
                        SpiffeId peerIdentity) {
        this.peerIdentity = peerIdentity;
        this.endpoint = endpoint;
        this.address = new InetSocketAddress(endpoint.address(), endpoint.port());
        this.multiplexed = multiplexed;
        this.breaker = breaker;
        this.connector = connector;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    /** A new snapshot kept this host with new registry data (health, zone). */
    public void endpoint(Endpoint updated) {
        this.endpoint = updated;
    }

    public InetSocketAddress address() {
        return address;
    }

    public boolean multiplexed() {
        return multiplexed;
    }

    /** The identity this host proves over mTLS, or null when connections to it are plaintext. */
    public SpiffeId peerIdentity() {
        return peerIdentity;
    }

    /** How long a pooled connection to this host may stay unused before it is closed. */
    public long idleTimeoutNanos() {
        return idleTimeoutNanos;
    }

    /** Set by each snapshot that keeps the host: the longest idle timeout of the routes that use it. */
    public void idleTimeoutNanos(long nanos) {
        this.idleTimeoutNanos = nanos;
    }

    CircuitBreaker breaker() {
        return breaker;
    }

    public HostHealth health() {
        return health;
    }

    /** The pool of the calling event loop. */
    public ConnectionPool pool(EventLoop loop) {
        ConnectionPool pool = pools.get(loop);
        return pool != null ? pool : pools.computeIfAbsent(loop, l -> connector.newPool(this, l));
    }

    public int openConnections() {
        int open = 0;
        for (ConnectionPool pool : pools.values()) {
            open += pool.openConnections();
        }
        return open;
    }

    /** The endpoint left the snapshot: idle connections close, busy ones after their request. */
    public void retire() {
        retired = true;
        pools.values().forEach(ConnectionPool::retire);
    }

    public boolean retired() {
        return retired;
    }

    /** Whether this host can be kept for an endpoint of a new snapshot. */
    public boolean sameAs(Endpoint other, boolean otherMultiplexed, CircuitBreaker otherBreaker, SpiffeId otherIdentity) {
        return endpoint.address().equals(other.address()) && endpoint.port() == other.port()
                && multiplexed == otherMultiplexed && breaker == otherBreaker
                && java.util.Objects.equals(peerIdentity, otherIdentity);
    }

    public void requestStarted() {
        inflight.incrementAndGet();
    }

    /** @param latencyNanos time to the response head, or -1 when there was none */
    public void requestFinished(long latencyNanos) {
        inflight.decrementAndGet();
        if (latencyNanos >= 0) {
            observeLatency(latencyNanos);
        }
    }

    @Override
    public int inflight() {
        return inflight.get();
    }

    @Override
    public synchronized double latencyEwma(long nowNanos) {
        if (ewmaNanos == 0) {
            return 0;
        }
        double w = Math.exp(-(nowNanos - ewmaStamp) / EWMA_DECAY_NANOS);
        return ewmaNanos * w;
    }

    private synchronized void observeLatency(long latencyNanos) {
        long now = System.nanoTime();
        if (ewmaNanos == 0 || latencyNanos > ewmaNanos) {
            // Peak EWMA: a slower response takes effect at once, recovery is gradual.
            ewmaNanos = latencyNanos;
        } else {
            double w = Math.exp(-(now - ewmaStamp) / EWMA_DECAY_NANOS);
            ewmaNanos = ewmaNanos * w + latencyNanos * (1 - w);
        }
        ewmaStamp = now;
    }

    @Override
    public boolean available(long nowNanos) {
        return endpoint.healthy() && !health.ejected(nowNanos);
    }

    @Override
    public String toString() {
        return endpoint.authority();
    }
}
