package dev.trellis.proxy.loadbalancer;

import java.util.List;
import java.util.function.Predicate;

/**
 * Picks one host among a cluster's. Hosts that are unavailable (ejected, unhealthy) are skipped
 * while an available one exists; when none is (every host ejected), any host is picked: a
 * request to a poor host beats no request (Envoy's panic mode). Hosts matching
 * {@code exclude} (those a retry already tried) are avoided the same way.
 */
public interface LoadBalancer {

    /** @return a host, or null when {@code hosts} is empty */
    <H extends BalancedHost> H pick(List<H> hosts, Predicate<? super H> exclude);

    static LoadBalancer roundRobin() {
        return new RoundRobinBalancer();
    }

    static LoadBalancer leastRequest() {
        return new LeastRequestBalancer(false);
    }

    static LoadBalancer peakEwma() {
        return new LeastRequestBalancer(true);
    }

    static LoadBalancer of(dev.trellis.spec.LoadBalancer kind) {
        return switch (kind) {
            case ROUND_ROBIN -> roundRobin();
            case LEAST_REQUEST -> leastRequest();
            case EWMA -> peakEwma();
        };
    }
}
