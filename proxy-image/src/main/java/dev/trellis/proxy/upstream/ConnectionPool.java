package dev.trellis.proxy.upstream;

/**
 * The connections of one event loop to one host. Used only from that event loop, so it needs
 * no locks; the cluster's circuit breaker, shared by all loops, bounds the connections.
 */
public interface ConnectionPool {

    /** Finds or opens a stream for one request and answers {@code callback}. */
    void acquire(StreamCallback callback, int connectTimeoutMillis);

    /** Closes idle connections; streams in use finish and are then closed. */
    void retire();

    /** Connections open now. */
    int openConnections();
}
