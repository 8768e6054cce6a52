package dev.trellis.cdk.service;

import dev.trellis.cdk.mesh.Mesh;
import dev.trellis.spec.LoadBalancer;
import dev.trellis.spec.Protocol;
import dev.trellis.spec.TlsMode;
import java.util.List;
import software.amazon.awscdk.Duration;

/**
 * Properties of a {@link MeshService}. Everything but the name and port is optional and takes
 * the mesh spec's default; the values are checked by the spec module at synth.
 */
public interface MeshServiceProps {

    /** The mesh the service belongs to; unset, the service's scope must be the mesh ({@link Mesh#addService}). */
    Mesh getMesh();

    /** The service's name in the mesh, in Cloud Map and in identities. */
    String getServiceName();

    /** The port the application listens on, behind the proxy. */
    Number getPort();

    /** What the service's listener speaks. Default: http. */
    Protocol getProtocol();

    /** The versions that may run at once. Default: v1. */
    List<String> getVersions();

    /** How requests are split among versions. Default: one route, evenly over every version. */
    List<Route> getRoutes();

    Timeouts getTimeouts();

    RetryPolicy getRetryPolicy();

    ConnectionLimits getConnectionLimits();

    OutlierDetection getOutlierDetection();

    LoadBalancer getLoadBalancer();

    /** Overrides the mesh's TLS mode for this service's inbound listener. */
    TlsMode getTls();

    /** Who may call; unset means the mesh's default policy decides. */
    List<AllowedCaller> getAllowedCallers();

    /** The success rate, in percent, under which the service's alarm fires. Default: 99. */
    Number getSuccessRateAlarmThreshold();

    /** The p99 latency over which the service's alarm fires. Default: the request timeout. */
    Duration getLatencyAlarmThreshold();

    /** Whether the service gets its success rate and latency alarms. Default: true. */
    Boolean getAlarms();

    static Builder builder() {
        return new Builder();
    }

    final class Builder {
        private Mesh mesh;
        private String serviceName;
        private Number port;
        private Protocol protocol;
        private List<String> versions;
        private List<Route> routes;
        private Timeouts timeouts;
        private RetryPolicy retryPolicy;
        private ConnectionLimits connectionLimits;
        private OutlierDetection outlierDetection;
        private LoadBalancer loadBalancer;
        private TlsMode tls;
        private List<AllowedCaller> allowedCallers;
        private Number successRateAlarmThreshold;
        private Duration latencyAlarmThreshold;
        private Boolean alarms;

        private Builder() {
        }

        public Builder mesh(Mesh mesh) {
            this.mesh = mesh;
            return this;
        }

        public Builder serviceName(String serviceName) {
            this.serviceName = serviceName;
            return this;
        }

        public Builder port(Number port) {
            this.port = port;
            return this;
        }

        public Builder protocol(Protocol protocol) {
            this.protocol = protocol;
            return this;
        }

        public Builder versions(List<String> versions) {
            this.versions = versions;
            return this;
        }

        public Builder routes(List<Route> routes) {
            this.routes = routes;
            return this;
        }

        public Builder timeouts(Timeouts timeouts) {
            this.timeouts = timeouts;
            return this;
        }

        public Builder retryPolicy(RetryPolicy retryPolicy) {
            this.retryPolicy = retryPolicy;
            return this;
        }

        public Builder connectionLimits(ConnectionLimits connectionLimits) {
            this.connectionLimits = connectionLimits;
            return this;
        }

        public Builder outlierDetection(OutlierDetection outlierDetection) {
            this.outlierDetection = outlierDetection;
            return this;
        }

        public Builder loadBalancer(LoadBalancer loadBalancer) {
            this.loadBalancer = loadBalancer;
            return this;
        }

        public Builder tls(TlsMode tls) {
            this.tls = tls;
            return this;
        }

        public Builder allowedCallers(List<AllowedCaller> allowedCallers) {
            this.allowedCallers = allowedCallers;
            return this;
        }

        public Builder successRateAlarmThreshold(Number percent) {
            this.successRateAlarmThreshold = percent;
            return this;
        }

        public Builder latencyAlarmThreshold(Duration p99) {
            this.latencyAlarmThreshold = p99;
            return this;
        }

        public Builder alarms(Boolean alarms) {
            this.alarms = alarms;
            return this;
        }

        public MeshServiceProps build() {
            return new Values(this);
        }

        private static final class Values implements MeshServiceProps {
            private final Mesh mesh;
            private final String serviceName;
            private final Number port;
            private final Protocol protocol;
            private final List<String> versions;
            private final List<Route> routes;
            private final Timeouts timeouts;
            private final RetryPolicy retryPolicy;
            private final ConnectionLimits connectionLimits;
            private final OutlierDetection outlierDetection;
            private final LoadBalancer loadBalancer;
            private final TlsMode tls;
            private final List<AllowedCaller> allowedCallers;
            private final Number successRateAlarmThreshold;
            private final Duration latencyAlarmThreshold;
            private final Boolean alarms;

            private Values(Builder b) {
                mesh = b.mesh;
                serviceName = b.serviceName;
                port = b.port;
                protocol = b.protocol;
                versions = b.versions == null ? null : List.copyOf(b.versions);
                routes = b.routes == null ? null : List.copyOf(b.routes);
                timeouts = b.timeouts;
                retryPolicy = b.retryPolicy;
                connectionLimits = b.connectionLimits;
                outlierDetection = b.outlierDetection;
                loadBalancer = b.loadBalancer;
                tls = b.tls;
                allowedCallers = b.allowedCallers == null ? null : List.copyOf(b.allowedCallers);
                successRateAlarmThreshold = b.successRateAlarmThreshold;
                latencyAlarmThreshold = b.latencyAlarmThreshold;
                alarms = b.alarms;
            }

            @Override public Mesh getMesh() { return mesh; }
            @Override public String getServiceName() { return serviceName; }
            @Override public Number getPort() { return port; }
            @Override public Protocol getProtocol() { return protocol; }
            @Override public List<String> getVersions() { return versions; }
            @Override public List<Route> getRoutes() { return routes; }
            @Override public Timeouts getTimeouts() { return timeouts; }
            @Override public RetryPolicy getRetryPolicy() { return retryPolicy; }
            @Override public ConnectionLimits getConnectionLimits() { return connectionLimits; }
            @Override public OutlierDetection getOutlierDetection() { return outlierDetection; }
            @Override public LoadBalancer getLoadBalancer() { return loadBalancer; }
            @Override public TlsMode getTls() { return tls; }
            @Override public List<AllowedCaller> getAllowedCallers() { return allowedCallers; }
            @Override public Number getSuccessRateAlarmThreshold() { return successRateAlarmThreshold; }
            @Override public Duration getLatencyAlarmThreshold() { return latencyAlarmThreshold; }
            @Override public Boolean getAlarms() { return alarms; }
        }
    }
}
