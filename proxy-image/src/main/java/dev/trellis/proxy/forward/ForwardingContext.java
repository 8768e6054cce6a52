package dev.trellis.proxy.forward;

import dev.trellis.proxy.accesslog.AccessLog;
import dev.trellis.proxy.config.RoutingTable;
import dev.trellis.proxy.http.HttpLimits;
import dev.trellis.proxy.metrics.Direction;
import dev.trellis.proxy.metrics.ProxyMetrics;
import java.util.function.Supplier;

/**
 * What a listener's frontend handlers share: where the current routing table is, the limits,
 * the meters, and which listener they serve.
 *
 * @param tables the current routing table, null before the first snapshot (one volatile read per request)
 * @param limits header and buffer limits
 * @param metrics the proxy's meters
 * @param direction the listener
 * @param accessLog where finished requests are logged (entries are built only when it is enabled)
 */
public record ForwardingContext(Supplier<RoutingTable> tables, HttpLimits limits, ProxyMetrics metrics,
                                Direction direction, AccessLog accessLog) {

    private static final long DEFAULT_IDLE_TIMEOUT_NANOS = dev.trellis.spec.Timeouts.DEFAULT.idle().toNanos();

    /** How long a caller's connection to this listener may stay without a request in flight, from the current table. */
    public long idleTimeoutNanos() {
        RoutingTable table = tables.get();
        if (table == null) {
            return DEFAULT_IDLE_TIMEOUT_NANOS;
        }
        return direction == Direction.INBOUND ? table.inboundIdleTimeoutNanos() : table.outboundIdleTimeoutNanos();
    }
}
