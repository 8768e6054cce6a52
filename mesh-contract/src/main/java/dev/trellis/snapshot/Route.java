package dev.trellis.snapshot;

import dev.trellis.spec.FaultInjection;
import dev.trellis.spec.RetryPolicy;
import dev.trellis.spec.RouteMatch;
import dev.trellis.spec.Timeouts;
import java.util.List;

/**
 * A route as the proxy applies it: every setting resolved (route over service over default).
 *
 * @param name the route's name, for metrics
 * @param match which requests
 * @param targets clusters with weights
 * @param timeouts the timeouts in force
 * @param retry the retry policy in force
 * @param hostRewrite the Host / :authority sent upstream, or null to keep the caller's
 * @param fault faults to inject, or null
 * @param mirror where copies of the requests go, or null
 */
public record Route(
        String name,
        RouteMatch match,
        List<WeightedCluster> targets,
        Timeouts timeouts,
        RetryPolicy retry,
        String hostRewrite,
        FaultInjection fault,
        MirrorPolicy mirror) {

    public Route {
        targets = targets != null ? List.copyOf(targets) : List.of();
    }

    /** @param cluster a cluster name; @param weight relative share */
    public record WeightedCluster(String cluster, int weight) {
    }

    /** @param cluster where copies go; @param percent share of requests copied, 0..100 */
    public record MirrorPolicy(String cluster, double percent) {
    }
}
