package dev.trellis.spec;

import java.util.List;

/**
 * A route of a service: which requests, to which versions in what shares, and how. Settings
 * left null take the service's.
 *
 * @param name unique within the service; used in metrics
 * @param priority lower wins; routes of equal priority keep their order in the spec
 * @param match which requests; null means every request
 * @param targets versions of this service with weights
 * @param timeouts overrides the service's timeouts
 * @param retry overrides the service's retry policy
 * @param hostRewrite replaces the Host / :authority sent upstream
 * @param fault faults to inject
 * @param mirror a shadow copy of the traffic
 */
public record RouteSpec(
        String name,
        Integer priority,
        RouteMatch match,
        List<WeightedTarget> targets,
        Timeouts timeouts,
        RetryPolicy retry,
        String hostRewrite,
        FaultInjection fault,
        Mirror mirror) {

    public RouteSpec {
        priority = priority != null ? priority : 1000;
        match = match != null ? match : RouteMatch.ANY;
        targets = targets != null ? List.copyOf(targets) : List.of();
    }

    public static RouteSpec to(String name, RouteMatch match, List<WeightedTarget> targets) {
        return new RouteSpec(name, null, match, targets, null, null, null, null, null);
    }
}
