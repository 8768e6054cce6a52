package dev.trellis.proxy.admin;

import java.util.List;

/**
 * A read-only view of the hosts the data plane balances over, for {@code GET /clusters}. The
 * data plane implements it (or is adapted to it at wiring time); the admin port calls it from its
 * own thread, so an implementation returns a consistent copy and never blocks on an event loop.
 */
@FunctionalInterface
public interface ClusterHealthSource {

    /** A source with no clusters, until the data plane has one. */
    ClusterHealthSource EMPTY = List::of;

    /** Every cluster of the applied snapshot, with its hosts as the load balancer sees them now. */
    List<ClusterHealth> clusters();

    /** One cluster ({@code service/version}) and its hosts. */
    record ClusterHealth(String name, List<HostHealth> hosts) {
        public ClusterHealth {
            hosts = hosts != null ? List.copyOf(hosts) : List.of();
        }
    }

    /**
     * One host of a cluster.
     *
     * @param address IP address or host name
     * @param port the port requests go to
     * @param healthy the registry's view (Cloud Map health)
     * @param ejected whether outlier detection holds it out of the load balancer now
     * @param activeRequests requests in flight to it from this proxy
     */
    record HostHealth(String address, int port, boolean healthy, boolean ejected, int activeRequests) {
    }
}
