package dev.trellis.proxy.metrics;

import dev.trellis.aws.AwsClients;
import dev.trellis.naming.MetricNames;
import dev.trellis.proxy.metrics.internal.CloudWatchExport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The proxy's meters, resolved ahead of time so that the request path never builds a tag list
 * or a string.
 *
 * <p>How the data plane uses it: when a snapshot is applied, resolve one {@link RouteMeters} per
 * (service, route, cluster) with {@link #forRoute} and one {@link ClusterMeters} per cluster
 * with {@link #forCluster} (both are cached: asking twice returns the same handle), keep them in
 * the routing table, and on each request call only methods of those handles:
 *
 * <pre>{@code
 * ProxyMetrics.RouteMeters meters = metrics.forRoute("orders", "checkout", "orders/v2"); // at apply time
 * ...
 * meters.record(response.status().code(), System.nanoTime() - startNanos);            // per request
 * meters.retried();                                                                      // per retry
 * metrics.forCluster("orders/v2").rejected(RejectionReason.MAX_REQUESTS);                // per rejection
 * metrics.connections(Direction.INBOUND).opened();                                       // channelActive
 * metrics.badRequest(BadRequestReason.SMUGGLING);                                        // decoder said no
 * }</pre>
 *
 * <p>Meters (Prometheus names; CloudWatch gets the same meters with the dots kept and a statistic
 * suffix, such as {@code trellis.proxy.requests.count}):
 * <ul>
 *   <li>{@code trellis_proxy_requests_total{service,route,cluster,status}}: responses by status class
 *       ({@code 1xx}..{@code 5xx}, or {@code none} when no response was sent);</li>
 *   <li>{@code trellis_proxy_request_duration_seconds{service,route,cluster}}: a timer with a
 *       percentile histogram (Prometheus: {@code histogram_quantile} over the buckets) and p50, p90,
 *       p99 computed in the proxy (CloudWatch, which has no histograms:
 *       {@code trellis.proxy.request.duration.percentile.value} with a {@code phi} dimension);</li>
 *   <li>{@code trellis_proxy_retries_total{service,route,cluster}};</li>
 *   <li>{@code trellis_proxy_circuit_breaker_rejections_total{cluster,reason}};</li>
 *   <li>{@code trellis_proxy_outlier_ejections_total{cluster}};</li>
 *   <li>{@code trellis_proxy_mirror_dropped_total{cluster}}: request copies given up because the mirror could not keep up;</li>
 *   <li>{@code trellis_proxy_connections_active{direction}}: a gauge, inbound and outbound;</li>
 *   <li>{@code trellis_proxy_bad_requests_total{reason}}.</li>
 * </ul>
 * plus JVM memory, threads, CPU and uptime, for Prometheus only (CloudWatch charges per metric),
 * bound at the first scrape: their platform MXBeans cost start-up time that /ready should not wait for.
 *
 * <p>Build one with {@link #prometheus()}, {@link #builder()} (common tags, CloudWatch export),
 * or {@link #noop()} in tests. Thread-safe. {@link #close()} publishes the last CloudWatch step
 * and stops the export.
 */
public final class ProxyMetrics implements AutoCloseable {

    /** The route name {@link #forInbound} uses. */
    public static final String INBOUND_ROUTE = MetricNames.INBOUND_ROUTE;
    /** The cluster name {@link #forInbound} uses: the application beside the proxy. */
    public static final String LOCAL_APP_CLUSTER = MetricNames.LOCAL_APP_CLUSTER;

    static final String REQUESTS = MetricNames.REQUESTS;
    static final String REQUEST_DURATION = MetricNames.REQUEST_DURATION;
    static final String RETRIES = MetricNames.RETRIES;
    static final String REJECTIONS = MetricNames.CIRCUIT_BREAKER_REJECTIONS;
    static final String EJECTIONS = MetricNames.EJECTIONS;
    static final String ACTIVE_CONNECTIONS = MetricNames.ACTIVE_CONNECTIONS;
    static final String BAD_REQUESTS = MetricNames.BAD_REQUESTS;
    /** The proxy's own meter (not in the contract: no dashboard or alarm reads it yet). */
    static final String MIRROR_DROPPED = "trellis.proxy.mirror.dropped";

    private static final String[] STATUS_CLASSES = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};

    /** Every registry a meter is created in; the hot meters record to each directly, see {@link Meters}. */
    private final MeterRegistry[] targets;
    private final MeterRegistry registry;
    private final PrometheusMeterRegistry prometheus;
    private final CloudWatchExport cloudWatch;
    private final Map<RouteKey, RouteMeters> routes = new ConcurrentHashMap<>();
    private final Map<String, ClusterMeters> clusters = new ConcurrentHashMap<>();
    private final Map<Direction, ConnectionGauge> connections = new EnumMap<>(Direction.class);
    private final Map<BadRequestReason, Counter[]> badRequests = new EnumMap<>(BadRequestReason.class);
    /** JVM meters wanted but not yet bound: the first {@link #scrape} binds them. */
    private volatile boolean jvmMetersPending;

    private ProxyMetrics(MeterRegistry[] targets, PrometheusMeterRegistry prometheus, CloudWatchExport cloudWatch,
            boolean jvmMeters) {
        this.targets = targets;
        this.jvmMetersPending = jvmMeters && prometheus != null;
        this.registry = targets.length == 1 ? targets[0] : composite(targets);
        this.prometheus = prometheus;
        this.cloudWatch = cloudWatch;
        for (Direction direction : Direction.values()) {
            connections.put(direction, new ConnectionGauge(targets, direction));
        }
        for (BadRequestReason reason : BadRequestReason.values()) {
            badRequests.put(reason, Meters.counters(targets, Counter.builder(BAD_REQUESTS)
                    .description("Requests refused or lost before routing, by reason")
                    .tag("reason", reason.tagValue())));
        }
    }

    private static MeterRegistry composite(MeterRegistry[] targets) {
        CompositeMeterRegistry composite = new CompositeMeterRegistry();
        for (MeterRegistry target : targets) {
            composite.add(target);
        }
        return composite;
    }

    /** Meters scraped from the admin port's {@code /metrics}, with JVM meters; no CloudWatch. */
    public static ProxyMetrics prometheus() {
        return builder().build();
    }

    /** Meters that record nothing and cost next to nothing: for tests and benchmarks. */
    public static ProxyMetrics noop() {
        // No registry to record to; registry() is a composite without children, which hands out no-op meters.
        return new ProxyMetrics(new MeterRegistry[0], null, null, false);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The meters of one route to one cluster; cached, so call it when a snapshot is applied, not
     * per request.
     *
     * @param service the mesh service the request is for
     * @param route the route's name ({@code Route.name()})
     * @param cluster the cluster the request went to ({@code service/version})
     */
    public RouteMeters forRoute(String service, String route, String cluster) {
        RouteKey key = new RouteKey(
                requireTagValue("service", service), requireTagValue("route", route),
                requireTagValue("cluster", cluster));
        return routes.computeIfAbsent(key, k -> new RouteMeters(targets, k));
    }

    /** The meters of requests that peers send to the local application through the inbound listener. */
    public RouteMeters forInbound(String localService) {
        return forRoute(localService, INBOUND_ROUTE, LOCAL_APP_CLUSTER);
    }

    /** The meters of one cluster (circuit breaking, ejections); cached like {@link #forRoute}. */
    public ClusterMeters forCluster(String cluster) {
        ClusterMeters existing = cluster == null ? null : clusters.get(cluster);
        if (existing != null) {
            return existing; // without the capturing lambda below: a lookup that allocates nothing
        }
        return clusters.computeIfAbsent(requireTagValue("cluster", cluster), c -> new ClusterMeters(targets, c));
    }

    /** The active-connection gauge of one listener. */
    public ConnectionGauge connections(Direction direction) {
        return connections.get(Objects.requireNonNull(direction, "direction"));
    }

    /** Counts one request refused or lost before routing. */
    public void badRequest(BadRequestReason reason) {
        Meters.increment(badRequests.get(reason));
    }

    /**
     * Publishes the seconds left on the proxy's mesh certificate ({@link MetricNames#CERTIFICATE_EXPIRY}),
     * read when meters are published, never on the request path.
     */
    public void certificateExpiry(java.util.function.LongSupplier secondsUntilExpiry) {
        Objects.requireNonNull(secondsUntilExpiry, "secondsUntilExpiry");
        for (MeterRegistry target : targets) {
            Gauge.builder(MetricNames.CERTIFICATE_EXPIRY, secondsUntilExpiry, s -> (double) s.getAsLong())
                    .description("Seconds until the proxy's mesh certificate expires")
                    .baseUnit("seconds")
                    .register(target);
        }
    }

    /**
     * Where code adds meters of its own (access log drops, TCP bytes, ...): the Prometheus registry,
     * or a composite of it and CloudWatch's when exporting.
     */
    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition (format 0.0.4) of every meter; empty when there is no Prometheus registry. */
    public String scrape() {
        if (prometheus == null) {
            return "";
        }
        if (jvmMetersPending) {
            bindJvmMeters();
        }
        return prometheus.scrape();
    }

    private synchronized void bindJvmMeters() {
        if (jvmMetersPending) {
            new JvmMemoryMetrics().bindTo(prometheus);
            new JvmThreadMetrics().bindTo(prometheus);
            new ProcessorMetrics().bindTo(prometheus);
            new UptimeMetrics().bindTo(prometheus);
            jvmMetersPending = false;
        }
    }

    /** Publishes the last CloudWatch step (when exporting) and stops the export. Idempotent. */
    @Override
    public void close() {
        if (cloudWatch != null) {
            cloudWatch.close();
        }
        if (prometheus != null) {
            prometheus.close();
        }
    }

    private static String requireTagValue(String name, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(name + ": " + (value == null ? "null" : "\"\"")
                    + " (expected: a non-empty name)");
        }
        return value;
    }

    private record RouteKey(String service, String route, String cluster) {
        Tags tags() {
            return Tags.of(Tag.of("service", service), Tag.of("route", route), Tag.of("cluster", cluster));
        }
    }

    /**
     * The meters of one (service, route, cluster). Methods allocate nothing after the first
     * response of each status class.
     */
    public static final class RouteMeters {
        private final MeterRegistry[] targets;
        private final Tags tags;
        private final AtomicReferenceArray<Counter[]> requestsByStatusClass =
                new AtomicReferenceArray<>(STATUS_CLASSES.length);
        private final Timer[] latency;
        private final Counter[] retries;

        private RouteMeters(MeterRegistry[] targets, RouteKey key) {
            this.targets = targets;
            this.tags = key.tags();
            this.latency = Meters.timers(targets, Timer.builder(REQUEST_DURATION)
                    .description("Time from the request's first byte to the response's last byte")
                    .tags(tags)
                    .publishPercentileHistogram()
                    .publishPercentiles(0.5, 0.9, 0.99)
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(60)));
            this.retries = Meters.counters(targets, Counter.builder(RETRIES)
                    .description("Tries sent again after a retriable failure")
                    .tags(tags));
        }

        /**
         * Records one finished request.
         *
         * @param status the HTTP status sent to the caller, or 0 when none was sent (the caller went away)
         * @param nanos how long it took, from {@link System#nanoTime()} differences
         */
        public void record(int status, long nanos) {
            int statusClass = status >= 100 && status <= 599 ? status / 100 : 0;
            Counter[] requests = requestsByStatusClass.get(statusClass);
            if (requests == null) {
                // Created on the first response of its class, so that classes never seen cost no series.
                requests = Meters.counters(targets, Counter.builder(REQUESTS)
                        .description("Requests by status class of the response sent to the caller")
                        .tags(tags)
                        .tag("status", STATUS_CLASSES[statusClass]));
                requestsByStatusClass.set(statusClass, requests);
            }
            Meters.increment(requests);
            for (Timer timer : latency) {
                timer.record(nanos, TimeUnit.NANOSECONDS);
            }
        }

        /** Counts one retry (a try after the first). */
        public void retried() {
            Meters.increment(retries);
        }
    }

    /** The meters of one cluster: circuit-breaker rejections by reason and outlier ejections. */
    public static final class ClusterMeters {
        private final Map<RejectionReason, Counter[]> rejections = new EnumMap<>(RejectionReason.class);
        private final Counter[] ejections;
        private final Counter[] mirrorDropped;

        private ClusterMeters(MeterRegistry[] targets, String cluster) {
            for (RejectionReason reason : RejectionReason.values()) {
                rejections.put(reason, Meters.counters(targets, Counter.builder(REJECTIONS)
                        .description("Requests refused because a circuit-breaker threshold was reached")
                        .tag("cluster", cluster)
                        .tag("reason", reason.tagValue())));
            }
            this.ejections = Meters.counters(targets, Counter.builder(EJECTIONS)
                    .description("Hosts ejected by outlier detection")
                    .tag("cluster", cluster));
            this.mirrorDropped = Meters.counters(targets, Counter.builder(MIRROR_DROPPED)
                    .description("Request copies to this mirror cluster given up because it could not keep up")
                    .tag("cluster", cluster));
        }

        /** Counts one request refused by the circuit breaker. */
        public void rejected(RejectionReason reason) {
            Meters.increment(rejections.get(reason));
        }

        /** Counts one host ejection. */
        public void ejected() {
            Meters.increment(ejections);
        }

        /** Counts one request copy dropped because this mirror cluster could not keep up. */
        public void mirrorDropped() {
            Meters.increment(mirrorDropped);
        }
    }

    /** Open connections of one listener: call {@link #opened()} in channelActive, {@link #closed()} in channelInactive. */
    public static final class ConnectionGauge {
        private final LongAdder active = new LongAdder();

        private ConnectionGauge(MeterRegistry[] targets, Direction direction) {
            for (MeterRegistry target : targets) {
                Gauge.builder(ACTIVE_CONNECTIONS, active, LongAdder::sum)
                        .description("Connections open from callers to a listener")
                        .tag("direction", direction.tagValue())
                        .register(target);
            }
        }

        public void opened() {
            active.increment();
        }

        public void closed() {
            active.decrement();
        }

        /** The connections open now. */
        public long active() {
            return active.sum();
        }
    }

    /** Builds {@link ProxyMetrics}: common tags and an optional CloudWatch export. Not thread-safe. */
    public static final class Builder {
        private final List<Tag> commonTags = new ArrayList<>();
        private String cloudWatchNamespace;
        private AwsClients aws;
        private Duration cloudWatchStep = Duration.ofMinutes(1);
        private boolean jvmMeters = true;

        private Builder() {
        }

        /** A tag on every meter, such as {@code mesh} or {@code local_service}. */
        public Builder commonTag(String key, String value) {
            commonTags.add(Tag.of(requireTagValue("commonTag.key", key), requireTagValue("commonTag." + key, value)));
            return this;
        }

        /**
         * Also pushes the proxy's meters to CloudWatch, every {@link #cloudWatchStep step}, under
         * {@code namespace}, with the CloudWatch client of {@code aws} (its region, credentials and
         * endpoint). The caller keeps ownership of {@code aws}.
         */
        public Builder cloudWatch(String namespace, AwsClients aws) {
            this.cloudWatchNamespace = requireTagValue("cloudWatch.namespace", namespace);
            this.aws = Objects.requireNonNull(aws, "aws");
            return this;
        }

        /** How often CloudWatch receives a data point per meter; default one minute. */
        public Builder cloudWatchStep(Duration step) {
            if (step == null || step.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("cloudWatchStep: " + step + " (expected: at least PT1S)");
            }
            this.cloudWatchStep = step;
            return this;
        }

        /** Whether Prometheus also gets JVM memory, thread, CPU and uptime meters (from the first scrape on); default true. */
        public Builder jvmMeters(boolean jvmMeters) {
            this.jvmMeters = jvmMeters;
            return this;
        }

        public ProxyMetrics build() {
            PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            prometheus.config().commonTags(commonTags);
            if (cloudWatchNamespace == null) {
                return new ProxyMetrics(new MeterRegistry[] {prometheus}, prometheus, null, jvmMeters);
            }
            CloudWatchExport cloudWatch = CloudWatchExport.start(cloudWatchNamespace, cloudWatchStep, aws.cloudWatch());
            cloudWatch.registry().config().commonTags(commonTags);
            return new ProxyMetrics(new MeterRegistry[] {prometheus, cloudWatch.registry()}, prometheus, cloudWatch,
                    jvmMeters);
        }
    }
}
