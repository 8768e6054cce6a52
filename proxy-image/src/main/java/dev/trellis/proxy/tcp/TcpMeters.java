package dev.trellis.proxy.tcp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.LongAdder;

/**
 * The meters of one TCP pass-through listener, tagged with its cluster:
 * {@code trellis_proxy_tcp_connections_total}, {@code trellis_proxy_tcp_connections_active},
 * {@code trellis_proxy_tcp_connect_failures_total{reason=timeout|refused|no_host}},
 * {@code trellis_proxy_tcp_bytes_received_total} (from callers) and
 * {@code trellis_proxy_tcp_bytes_sent_total} (to callers).
 */
public final class TcpMeters {

    private final Counter connections;
    private final LongAdder active = new LongAdder();
    private final Counter connectTimeouts;
    private final Counter connectRefusals;
    private final Counter noHost;
    private final Counter idleClosed;
    private final Counter bytesReceived;
    private final Counter bytesSent;

    public TcpMeters(MeterRegistry registry, String cluster) {
        connections = Counter.builder("trellis.proxy.tcp.connections").tag("cluster", cluster)
                .description("TCP connections accepted").register(registry);
        Gauge.builder("trellis.proxy.tcp.connections.active", active, LongAdder::sum).tag("cluster", cluster)
                .description("TCP connections open now").register(registry);
        connectTimeouts = failures(registry, cluster, "timeout");
        connectRefusals = failures(registry, cluster, "refused");
        noHost = failures(registry, cluster, "no_host");
        idleClosed = Counter.builder("trellis.proxy.tcp.idle.closed").tag("cluster", cluster)
                .description("TCP connections closed after carrying nothing for the idle timeout").register(registry);
        bytesReceived = Counter.builder("trellis.proxy.tcp.bytes.received").tag("cluster", cluster)
                .baseUnit("bytes").description("Bytes from callers relayed upstream").register(registry);
        bytesSent = Counter.builder("trellis.proxy.tcp.bytes.sent").tag("cluster", cluster)
                .baseUnit("bytes").description("Bytes from upstream relayed to callers").register(registry);
    }

    private static Counter failures(MeterRegistry registry, String cluster, String reason) {
        return Counter.builder("trellis.proxy.tcp.connect.failures").tag("cluster", cluster).tag("reason", reason)
                .description("Upstream connections that could not be made").register(registry);
    }

    void opened() {
        connections.increment();
        active.increment();
    }

    void closed() {
        active.decrement();
    }

    void connectTimedOut() {
        connectTimeouts.increment();
    }

    void connectRefused() {
        connectRefusals.increment();
    }

    void noHost() {
        noHost.increment();
    }

    void idleClosed() {
        idleClosed.increment();
    }

    void received(int bytes) {
        bytesReceived.increment(bytes);
    }

    void sent(int bytes) {
        bytesSent.increment(bytes);
    }

    /** Connections open now. */
    public long active() {
        return active.sum();
    }
}
