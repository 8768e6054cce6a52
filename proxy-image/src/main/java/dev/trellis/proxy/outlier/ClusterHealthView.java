package dev.trellis.proxy.outlier;

import java.time.Duration;
import java.util.List;

/**
 * A read-only view of every cluster's hosts as the proxy sees them now: for the admin port's
 * {@code /clusters}. Each call is a fresh, consistent-enough copy; it never blocks the data plane.
 */
@FunctionalInterface
public interface ClusterHealthView {

    List<ClusterHealth> clusters();

    /** @param name {@code service/version}; @param hosts its hosts in snapshot order */
    record ClusterHealth(String name, String protocol, String loadBalancer, int activeRequests, int openConnections,
                         List<HostStatus> hosts) {
        public ClusterHealth {
            hosts = List.copyOf(hosts);
        }
    }

    /**
     * @param address host address
     * @param port host port
     * @param registryHealthy the registry's health flag in the snapshot
     * @param ejected ejected by outlier detection now
     * @param ejectedFor time left of the ejection, zero when not ejected
     * @param ejections how many times it was ejected (decays while healthy)
     * @param consecutiveFailures failures in a row so far
     * @param activeRequests requests in flight to it
     */
    record HostStatus(String address, int port, boolean registryHealthy, boolean ejected, Duration ejectedFor,
                      int ejections, int consecutiveFailures, int activeRequests) {
    }
}
