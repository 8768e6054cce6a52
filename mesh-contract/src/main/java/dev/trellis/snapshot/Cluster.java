package dev.trellis.snapshot;

import dev.trellis.spec.ConnectionLimits;
import dev.trellis.spec.LoadBalancer;
import dev.trellis.spec.OutlierDetection;
import dev.trellis.spec.Protocol;
import dev.trellis.spec.TlsMode;
import java.util.List;

/**
 * The hosts of one version of one service, and how the proxy treats them.
 *
 * @param name {@code service/version}, unique in a snapshot
 * @param service the mesh service
 * @param version its version
 * @param protocol what the hosts speak
 * @param loadBalancer how a host is picked
 * @param limits circuit breaker thresholds
 * @param outlierDetection when a host is ejected
 * @param tls the hosts' inbound TLS mode: STRICT or PERMISSIVE means originate mTLS
 * @param identity the SPIFFE ID the hosts' certificates must carry
 * @param endpoints the hosts
 */
public record Cluster(
        String name,
        String service,
        String version,
        Protocol protocol,
        LoadBalancer loadBalancer,
        ConnectionLimits limits,
        OutlierDetection outlierDetection,
        TlsMode tls,
        String identity,
        List<Endpoint> endpoints) {

    public Cluster {
        endpoints = endpoints != null ? List.copyOf(endpoints) : List.of();
    }

    public static String name(String service, String version) {
        return service + "/" + version;
    }

    public Cluster withEndpoints(List<Endpoint> newEndpoints) {
        return new Cluster(name, service, version, protocol, loadBalancer, limits, outlierDetection, tls, identity,
                newEndpoints);
    }
}
