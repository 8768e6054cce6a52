package dev.trellis.cdk.service;

import dev.trellis.spec.FaultInjection;
import dev.trellis.spec.HeaderMatch;
import dev.trellis.spec.Mirror;
import dev.trellis.spec.QueryMatch;
import dev.trellis.spec.RouteMatch;
import dev.trellis.spec.RouteSpec;
import dev.trellis.spec.WeightedTarget;
import java.util.ArrayList;
import java.util.List;

/**
 * A route of a mesh service, over {@link RouteSpec}: which requests, to which versions in what
 * shares. The spec module checks it at synth (weights, versions, regular expressions).
 *
 * <pre>{@code
 * Route.http("beta")
 *         .priority(10)
 *         .pathPrefix("/orders")
 *         .header(HeaderMatch.exact("x-beta", "true"))
 *         .target("v2", 100)
 *         .build();
 * }</pre>
 */
public final class Route {

    private final RouteSpec spec;

    private Route(RouteSpec spec) {
        this.spec = spec;
    }

    /** A route of an http, http2 or grpc service: matches on path, headers, method and query. */
    public static Builder http(String name) {
        return new Builder(name);
    }

    /** A route of a tcp service: only targets (the spec module rejects request conditions on tcp). */
    public static Builder tcp(String name) {
        return new Builder(name);
    }

    public String name() {
        return spec.name();
    }

    public RouteSpec toSpec() {
        return spec;
    }

    public static final class Builder {
        private final String name;
        private Integer priority;
        private String pathPrefix;
        private String path;
        private String pathRegex;
        private final List<HeaderMatch> headers = new ArrayList<>();
        private final List<String> methods = new ArrayList<>();
        private final List<QueryMatch> query = new ArrayList<>();
        private final List<WeightedTarget> targets = new ArrayList<>();
        private Timeouts timeouts;
        private RetryPolicy retry;
        private String hostRewrite;
        private FaultInjection fault;
        private Mirror mirror;

        private Builder(String name) {
            this.name = name;
        }

        /** Lower wins; routes of equal priority keep the order they were added in. */
        public Builder priority(int priority) {
            this.priority = priority;
            return this;
        }

        public Builder pathPrefix(String prefix) {
            this.pathPrefix = prefix;
            return this;
        }

        /** The path, without query, equals this. */
        public Builder path(String exact) {
            this.path = exact;
            return this;
        }

        /** The whole path matches this Java regular expression. */
        public Builder pathRegex(String regex) {
            this.pathRegex = regex;
            return this;
        }

        public Builder header(HeaderMatch header) {
            headers.add(header);
            return this;
        }

        public Builder methods(String... methods) {
            this.methods.addAll(List.of(methods));
            return this;
        }

        public Builder query(QueryMatch condition) {
            query.add(condition);
            return this;
        }

        /** A version of the service and its relative weight, 0..100. */
        public Builder target(String version, int weight) {
            targets.add(WeightedTarget.of(version, weight));
            return this;
        }

        public Builder timeouts(Timeouts timeouts) {
            this.timeouts = timeouts;
            return this;
        }

        public Builder retry(RetryPolicy retry) {
            this.retry = retry;
            return this;
        }

        public Builder hostRewrite(String host) {
            this.hostRewrite = host;
            return this;
        }

        public Builder fault(FaultInjection fault) {
            this.fault = fault;
            return this;
        }

        /** A fire-and-forget copy of a share of the requests to another version. */
        public Builder mirror(String version, double percent) {
            this.mirror = new Mirror(version, percent);
            return this;
        }

        public Route build() {
            RouteMatch match = null;
            boolean anyCondition = pathPrefix != null || path != null || pathRegex != null
                    || !headers.isEmpty() || !methods.isEmpty() || !query.isEmpty();
            if (anyCondition) {
                // A route without a path condition takes every path, as in the spec's own default.
                String prefix = pathPrefix == null && path == null && pathRegex == null ? "/" : pathPrefix;
                match = new RouteMatch(prefix, path, pathRegex, headers, methods, query);
            }
            return new Route(new RouteSpec(name, priority, match, targets,
                    timeouts == null ? null : timeouts.toSpec(),
                    retry == null ? null : retry.toSpec(),
                    hostRewrite, fault, mirror));
        }
    }
}
