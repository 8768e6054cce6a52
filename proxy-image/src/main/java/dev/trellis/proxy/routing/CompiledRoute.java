package dev.trellis.proxy.routing;

import dev.trellis.proxy.fault.FaultInjector;
import dev.trellis.proxy.retry.RetryBudget;
import dev.trellis.proxy.retry.RetryRule;
import dev.trellis.proxy.upstream.UpstreamCluster;
import dev.trellis.snapshot.Route;
import io.netty.util.AsciiString;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A route ready for the request path: its matcher, weighted targets, retry rule and budget,
 * fault injection, mirror and timeouts, all resolved when the snapshot is applied.
 */
public final class CompiledRoute {

    private final String service;
    private final Route route;
    private final RequestMatcher matcher;
    private final SmoothWeightedPicker<RouteTarget> picker;
    private final RetryRule retry;
    private final RetryBudget budget;
    private final FaultInjector fault;
    private final UpstreamCluster mirror;
    private final double mirrorPercent;
    private final AsciiString hostRewrite;
    private final long requestTimeoutNanos;
    private final int connectTimeoutMillis;

    public CompiledRoute(String service, Route route, List<RouteTarget> targets, UpstreamCluster mirror) {
        this.service = service;
        this.route = route;
        this.matcher = RequestMatcher.of(route.match());
        this.picker = new SmoothWeightedPicker<>(targets,
                route.targets().stream().map(Route.WeightedCluster::weight).toList());
        this.retry = RetryRule.of(route.retry());
        this.budget = new RetryBudget(route.retry().budget());
        this.fault = FaultInjector.of(route.fault());
        this.mirror = mirror;
        this.mirrorPercent = route.mirror() == null ? 0 : route.mirror().percent();
        this.hostRewrite = route.hostRewrite() == null ? null : AsciiString.cached(route.hostRewrite());
        this.requestTimeoutNanos = route.timeouts().request().toNanos();
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, route.timeouts().connect().toMillis());
    }

    public String service() {
        return service;
    }

    public String name() {
        return route.name();
    }

    public Route route() {
        return route;
    }

    public RequestMatcher matcher() {
        return matcher;
    }

    /** The target of the next request, by smooth weighted round robin. */
    public RouteTarget pickTarget() {
        return picker.pick();
    }

    public RetryRule retry() {
        return retry;
    }

    public RetryBudget budget() {
        return budget;
    }

    public FaultInjector fault() {
        return fault;
    }

    /** The mirror cluster if this request should be copied there, else null. */
    public UpstreamCluster mirrorFor() {
        if (mirror == null) {
            return null;
        }
        return mirrorPercent >= 100 || ThreadLocalRandom.current().nextDouble(100) < mirrorPercent ? mirror : null;
    }

    /** The Host / :authority to send upstream instead of the caller's, or null. */
    public AsciiString hostRewrite() {
        return hostRewrite;
    }

    public long requestTimeoutNanos() {
        return requestTimeoutNanos;
    }

    public int connectTimeoutMillis() {
        return connectTimeoutMillis;
    }
}
