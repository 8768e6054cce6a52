package dev.trellis.cdk.service;

import dev.trellis.cdk.hooks.CanaryRollout;
import dev.trellis.cdk.hooks.MeshHooks;
import dev.trellis.cdk.internal.SpecParameterResource;
import dev.trellis.cdk.mesh.Mesh;
import dev.trellis.cdk.observability.ProxyMetrics;
import dev.trellis.cdk.observability.ServiceAlarms;
import dev.trellis.naming.SsmPaths;
import dev.trellis.spec.MeshSpec;
import dev.trellis.spec.MeshSpecs;
import dev.trellis.spec.ServiceSpec;
import dev.trellis.spec.SpecParameters;
import dev.trellis.spec.SpecProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.servicediscovery.DnsRecordType;
import software.amazon.awscdk.services.servicediscovery.HealthCheckCustomConfig;
import software.amazon.awscdk.services.servicediscovery.NamespaceType;
import software.amazon.awscdk.services.servicediscovery.Service;
import software.amazon.awscdk.services.ssm.CfnParameter;
import software.constructs.Construct;

/**
 * A service of a mesh: its Cloud Map service (the controller and the task hook register its
 * workloads there, with a custom health status) and its spec parameter in SSM, built from typed
 * values. The spec module checks the service at synth, with the whole mesh in view (callers and
 * versions it names must exist).
 *
 * <pre>{@code
 * MeshService orders = mesh.addService("Orders", MeshServiceProps.builder()
 *         .serviceName("orders").port(8081).versions(List.of("v1", "v2"))
 *         .routes(List.of(Route.http("canary").target("v1", 90).target("v2", 10).build()))
 *         .build());
 * }</pre>
 *
 * <p>Construct ids are a public contract: {@code CloudMapService}, {@code SpecParameter},
 * {@code SuccessRateAlarm}, {@code LatencyAlarm}.
 */
public class MeshService extends Construct {

    private final Mesh mesh;
    private final MeshServiceProps props;
    private final String serviceName;
    private final List<Route> routes = new ArrayList<>();
    private final List<AllowedCaller> allowedCallers;
    private final List<CanaryRollout> canaries = new ArrayList<>();
    private final Service cloudMapService;
    private final CfnParameter parameter;
    private final ServiceAlarms alarms;

    public MeshService(Construct scope, String id, MeshServiceProps props) {
        super(scope, id);
        this.props = props;
        this.mesh = meshOf(scope, props);
        this.serviceName = checkedName(mesh, props.getServiceName());
        if (props.getRoutes() != null) {
            routes.addAll(props.getRoutes());
        }
        allowedCallers = props.getAllowedCallers() != null ? new ArrayList<>(props.getAllowedCallers()) : null;

        Service.Builder cloudMap = Service.Builder.create(this, "CloudMapService")
                .namespace(mesh.namespace())
                .name(serviceName)
                .description("Trellis mesh " + mesh.meshName() + ": workloads of " + serviceName)
                .customHealthCheck(HealthCheckCustomConfig.builder().failureThreshold(1).build());
        if (mesh.namespace().getType() == NamespaceType.DNS_PRIVATE) {
            cloudMap.dnsRecordType(DnsRecordType.A).dnsTtl(Duration.seconds(10));
        }
        cloudMapService = cloudMap.build();

        String parameterName = SsmPaths.service(mesh.meshName(), serviceName);
        parameter = SpecParameterResource.create(this, "SpecParameter", parameterName,
                "Trellis mesh " + mesh.meshName() + ": service " + serviceName,
                () -> SpecParameters.toParameters(mesh.spec()).get(parameterName));

        if (props.getAlarms() == null || props.getAlarms()) {
            double successRate = props.getSuccessRateAlarmThreshold() != null
                    ? props.getSuccessRateAlarmThreshold().doubleValue() : 99.0;
            double p99 = props.getLatencyAlarmThreshold() != null
                    ? props.getLatencyAlarmThreshold().toMilliseconds().doubleValue()
                    : toSpec().timeouts().request().toMillis();
            alarms = new ServiceAlarms(this, metrics(), serviceName, successRate, p99);
        } else {
            alarms = null;
        }

        mesh.registerService(this);
        getNode().addValidation(this::problems);
    }

    /** Adds a route after those of the props. */
    public MeshService addRoute(Route route) {
        routes.add(route);
        return this;
    }

    /** Allows one more caller; the first call turns "the mesh's default policy decides" into a list. */
    public MeshService addAllowedCaller(AllowedCaller caller) {
        if (allowedCallers == null) {
            throw new IllegalStateException("allowedCallers: unset (expected: a list in MeshServiceProps, even empty,"
                    + " before adding callers, so that a service never turns from open to closed by accident)");
        }
        allowedCallers.add(caller);
        return this;
    }

    /**
     * Rolls a route of this service from its baseline version to a canary with the mesh's canary
     * hook. The rollout's route and versions are checked at synth.
     *
     * @throws IllegalStateException when the mesh has no Lambda hooks to run it
     */
    public Rule addCanary(String id, CanaryRollout rollout) {
        MeshHooks hooks = mesh.hooks().orElseThrow(() -> new IllegalStateException("addCanary " + id + ": mesh "
                + mesh.meshName() + " has no Lambda hooks (expected: MeshProps.hooks(...), which runs the canary hook)"));
        canaries.add(rollout);
        return hooks.addCanary(this, id, serviceName, rollout);
    }

    /** This service's part of the mesh spec. */
    public ServiceSpec toSpec() {
        return new ServiceSpec(serviceName, props.getProtocol(),
                props.getPort() == null ? null : props.getPort().intValue(),
                props.getVersions(),
                routes.stream().map(Route::toSpec).toList(),
                props.getTimeouts() == null ? null : props.getTimeouts().toSpec(),
                props.getRetryPolicy() == null ? null : props.getRetryPolicy().toSpec(),
                props.getConnectionLimits() == null ? null : props.getConnectionLimits().toSpec(),
                props.getOutlierDetection() == null ? null : props.getOutlierDetection().toSpec(),
                props.getLoadBalancer(),
                props.getTls(),
                allowedCallers == null ? null : allowedCallers.stream().map(AllowedCaller::toSpec).toList());
    }

    /** The service's proxy metrics in CloudWatch, for alarms and dashboards of your own. */
    public ProxyMetrics metrics() {
        return ProxyMetrics.of(mesh.metricsNamespace(), mesh.meshName(), serviceName, versions());
    }

    private List<String> problems() {
        String own = "services[" + serviceName + "]";
        List<String> problems = new ArrayList<>(MeshSpecs.problems(mesh.spec()).stream()
                .filter(p -> Mesh.belongsTo(p.path(), own))
                .map(SpecProblem::toString)
                .toList());
        ServiceSpec spec = toSpec();
        List<String> routeNames = spec.routes().stream().map(dev.trellis.spec.RouteSpec::name).toList();
        for (CanaryRollout canary : canaries) {
            problems.addAll(canary.problems(serviceName, routeNames, spec.versions()));
        }
        return problems;
    }

    private static Mesh meshOf(Construct scope, MeshServiceProps props) {
        if (props.getMesh() != null) {
            return props.getMesh();
        }
        if (scope instanceof Mesh m) {
            return m;
        }
        throw new IllegalArgumentException("MeshServiceProps.mesh: null (expected: the Mesh the service belongs to,"
                + " or create the service with mesh.addService(...))");
    }

    /** Checked now, as it names the Cloud Map service and the SSM parameter (see {@link Mesh}). */
    private static String checkedName(Mesh mesh, String name) {
        if (name == null) {
            throw new IllegalArgumentException("serviceName: null (expected: the service's name in the mesh)");
        }
        MeshSpec alone = MeshSpec.of(mesh.meshName(), List.of(ServiceSpec.of(name, 1)));
        Optional<SpecProblem> problem = MeshSpecs.problems(alone).stream()
                .filter(p -> p.path().endsWith("].name"))
                .findFirst();
        if (problem.isPresent()) {
            throw new IllegalArgumentException("serviceName: " + problem.get());
        }
        return name;
    }

    public Mesh mesh() {
        return mesh;
    }

    public String serviceName() {
        return serviceName;
    }

    /** The application's port behind the proxy. */
    public int port() {
        return toSpec().port();
    }

    public List<String> versions() {
        return toSpec().versions();
    }

    public Service cloudMapService() {
        return cloudMapService;
    }

    public CfnParameter specParameter() {
        return parameter;
    }

    public Optional<ServiceAlarms> alarms() {
        return Optional.ofNullable(alarms);
    }
}
