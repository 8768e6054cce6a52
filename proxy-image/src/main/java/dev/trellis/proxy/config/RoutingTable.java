package dev.trellis.proxy.config;

import dev.trellis.proxy.routing.CompiledRoute;
import dev.trellis.proxy.routing.ServiceRoutes;
import dev.trellis.proxy.upstream.UpstreamCluster;
import dev.trellis.snapshot.ProxySnapshot;
import java.util.Map;

/**
 * Everything the request path needs from one snapshot, compiled and immutable: outbound services
 * by host (lower case, no port), clusters by name, and the inbound route to the local app.
 * Requests read the current table once, with one volatile read, and use it to the end.
 */
public final class RoutingTable {

    private final ProxySnapshot snapshot;
    private final Map<String, ServiceRoutes> servicesByHost;
    private final Map<String, UpstreamCluster> clusters;
    private final CompiledRoute inbound;
    private final long outboundIdleTimeoutNanos;
    private final long inboundIdleTimeoutNanos;

    RoutingTable(ProxySnapshot snapshot, Map<String, ServiceRoutes> servicesByHost,
                 Map<String, UpstreamCluster> clusters, CompiledRoute inbound,
                 long outboundIdleTimeoutNanos, long inboundIdleTimeoutNanos) {
        this.snapshot = snapshot;
        this.servicesByHost = Map.copyOf(servicesByHost);
        this.clusters = Map.copyOf(clusters);
        this.inbound = inbound;
        this.outboundIdleTimeoutNanos = outboundIdleTimeoutNanos;
        this.inboundIdleTimeoutNanos = inboundIdleTimeoutNanos;
    }

    /** How long a caller's connection to the outbound listener may stay without a request in flight. */
    public long outboundIdleTimeoutNanos() {
        return outboundIdleTimeoutNanos;
    }

    /** How long a peer's connection to the inbound listener may stay without a request in flight. */
    public long inboundIdleTimeoutNanos() {
        return inboundIdleTimeoutNanos;
    }

    public ProxySnapshot snapshot() {
        return snapshot;
    }

    public String version() {
        return snapshot.version();
    }

    /**
     * The service a Host / :authority value names, with any port ignored and case-insensitively.
     *
     * @return the service, or null when no service claims the host
     */
    public ServiceRoutes serviceForHost(String hostHeader) {
        if (hostHeader == null) {
            return null;
        }
        String host = stripPort(hostHeader);
        ServiceRoutes service = servicesByHost.get(host);
        if (service == null) {
            service = servicesByHost.get(host.toLowerCase(java.util.Locale.ROOT));
        }
        return service;
    }

    public UpstreamCluster cluster(String name) {
        return clusters.get(name);
    }

    public Map<String, UpstreamCluster> clusters() {
        return clusters;
    }

    /** The route of every inbound request: to the local application. */
    public CompiledRoute inbound() {
        return inbound;
    }

    static String stripPort(String host) {
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end > 0 ? host.substring(0, end + 1) : host;
        }
        int colon = host.lastIndexOf(':');
        return colon >= 0 ? host.substring(0, colon) : host;
    }
}
