package dev.trellis.cdk.mesh;

import dev.trellis.cdk.controller.EcsController;
import dev.trellis.cdk.controller.EcsControllerProps;
import dev.trellis.cdk.hooks.MeshHooks;
import dev.trellis.cdk.hooks.MeshHooksProps;
import dev.trellis.cdk.images.ProxyImage;
import dev.trellis.cdk.internal.Lazies;
import dev.trellis.cdk.internal.SpecParameterResource;
import dev.trellis.cdk.observability.MeshDashboard;
import dev.trellis.cdk.observability.MeshDashboardProps;
import dev.trellis.cdk.observability.ProxyMetrics;
import dev.trellis.cdk.service.MeshService;
import dev.trellis.cdk.service.MeshServiceProps;
import dev.trellis.naming.SsmPaths;
import dev.trellis.spec.MeshSpec;
import dev.trellis.spec.MeshSpecs;
import dev.trellis.spec.ServiceSpec;
import dev.trellis.spec.SpecParameters;
import dev.trellis.spec.SpecProblem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awscdk.Annotations;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.ecs.ICluster;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.secretsmanager.CfnSecret;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.secretsmanager.Secret;
import software.amazon.awscdk.services.servicediscovery.INamespace;
import software.amazon.awscdk.services.ssm.CfnParameter;
import software.constructs.Construct;

/**
 * A Trellis mesh: its Cloud Map namespace, the mesh settings parameter of its spec in SSM, the
 * mesh CA secret, a log group for its proxies, a dashboard, and optionally its controller on ECS
 * Fargate and its Lambda hooks. Services are added with {@link #addService}; the spec they make
 * together is checked at synth by the spec module's own rules.
 *
 * <p>The mesh CA: with hooks, the CA custom resource creates it at deploy time in a secret of its
 * own; without, the mesh creates an empty secret and the controller's CA store writes a CA into
 * it at first start. Without hooks, ECS tasks also reach Cloud Map only through the controller's
 * reconcile, and canary rollouts cannot be added; the mesh says so in a synth warning.
 *
 * <p>Construct ids are a public contract: {@code Namespace}, {@code Settings}, {@code CaSecret},
 * {@code ProxyLogs}, {@code Observability}, {@code Hooks}, {@code Controller}.
 */
public class Mesh extends Construct {

    private final String meshName;
    private final MeshProps props;
    private final INamespace namespace;
    private final Optional<String> hostedZoneId;
    private final CfnParameter settings;
    private final ISecret caSecret;
    private final LogGroup proxyLogs;
    private final MeshDashboard dashboard;
    private final MeshHooks hooks;
    private final EcsController controller;
    private final List<MeshService> services = new ArrayList<>();
    private final Map<String, ICluster> ecsClusters = new LinkedHashMap<>();

    public Mesh(Construct scope, String id, MeshProps props) {
        super(scope, id);
        this.props = props;
        this.meshName = checkedName(props.getMeshName());

        MeshNamespace.Bound bound = (props.getNamespace() != null ? props.getNamespace() : MeshNamespace.http())
                .bind(this, "Namespace", meshName);
        namespace = bound.namespace();
        hostedZoneId = bound.hostedZoneId();

        settings = SpecParameterResource.create(this, "Settings", SsmPaths.meshSettings(meshName),
                "Trellis mesh " + meshName + ": mesh settings",
                () -> SpecParameters.toParameters(settingsSpec()).get(SsmPaths.meshSettings(meshName)));

        proxyLogs = LogGroup.Builder.create(this, "ProxyLogs").retention(logRetention()).build();
        dashboard = new MeshDashboard(this, "Observability", new MeshDashboardProps(meshName, metricsNamespace()));

        if (props.getHooks() != null) {
            hooks = new MeshHooks(this, "Hooks", new MeshHooksProps(this, props.getHooks()));
            caSecret = Secret.fromSecretCompleteArn(this, "CaSecret", hooks.caSecretArn());
        } else {
            hooks = null;
            Secret empty = Secret.Builder.create(this, "CaSecret")
                    .description("CA of Trellis mesh " + meshName + " (trellis-mesh-ca/v1 JSON: PEM roots and keys)")
                    .removalPolicy(props.getCaRemovalPolicy() != null ? props.getCaRemovalPolicy() : RemovalPolicy.RETAIN)
                    .build();
            // Created without a value, not with a random password: the controller's CA store treats
            // "no value" as "no CA yet" and writes one, and nothing reads a placeholder as a CA.
            ((CfnSecret) empty.getNode().getDefaultChild()).addPropertyDeletionOverride("GenerateSecretString");
            caSecret = empty;
            Annotations.of(this).addWarningV2("trellis:noHooks", "mesh " + meshName + " has no Lambda hooks: no CA custom"
                    + " resource (the controller creates the CA in its empty secret at first start), ECS tasks reach Cloud Map"
                    + " only through the controller's reconcile, and canary weights are not stepped automatically"
                    + " (set MeshProps.hooks(...))");
        }
        controller = props.getController() != null
                ? new EcsController(this, "Controller", EcsControllerProps.of(this, props.getController()))
                : null;

        getNode().addValidation(() -> meshProblems().stream().map(SpecProblem::toString).toList());
    }

    /** Adds a service to the mesh; {@code props} need not name the mesh. */
    public MeshService addService(String id, MeshServiceProps props) {
        return new MeshService(this, id, props);
    }

    /** Called by every {@link MeshService} of this mesh, in the order they are created. */
    public void registerService(MeshService service) {
        services.add(service);
        dashboard.addService(service.serviceName(), service.metrics());
    }

    /**
     * Marks an ECS cluster as running mesh workloads: the controller and the task state hook
     * watch its tasks. Adding the same cluster twice is harmless.
     */
    public void addEcsCluster(ICluster cluster) {
        if (ecsClusters.putIfAbsent(cluster.getNode().getPath(), cluster) == null && hooks != null) {
            hooks.watchEcsClusters();
        }
    }

    /** The ARNs of the mesh's ECS clusters so far; for values computed at synth. */
    public List<String> ecsClusterArnList() {
        return ecsClusters.values().stream().map(ICluster::getClusterArn).toList();
    }

    /** The ARNs of the mesh's ECS clusters, complete at synth. */
    public List<String> ecsClusterArns() {
        return Lazies.list(() -> ecsClusters.values().stream().map(ICluster::getClusterArn).toList());
    }

    /** The whole spec as the constructs declare it: the mesh settings and every service. */
    public MeshSpec spec() {
        List<ServiceSpec> specs = services.stream().map(MeshService::toSpec).toList();
        MeshSpec s = settingsSpec();
        return new MeshSpec(s.apiVersion(), s.mesh(), s.trustDomain(), s.tls(), s.defaultPolicy(), specs);
    }

    private MeshSpec settingsSpec() {
        return new MeshSpec(null, meshName, props.getTrustDomain(), props.getTls(), props.getDefaultPolicy(), List.of());
    }

    /** Problems of the whole spec that belong to no single service (those report on the service). */
    private List<SpecProblem> meshProblems() {
        List<String> ownPrefixes = services.stream().map(s -> "services[" + s.serviceName() + "]").toList();
        return MeshSpecs.problems(spec()).stream()
                .filter(p -> ownPrefixes.stream().noneMatch(prefix -> belongsTo(p.path(), prefix)))
                .toList();
    }

    /** Whether a problem's path lies in the part of the spec that {@code prefix} names. */
    public static boolean belongsTo(String path, String prefix) {
        return path.equals(prefix) || path.startsWith(prefix + ".") || path.startsWith(prefix + "[");
    }

    /**
     * The mesh name is checked when the mesh is created, not at synth: it is part of the names of
     * the SSM parameters and the namespace, whose own checks would otherwise fire first with
     * other rules.
     */
    private static String checkedName(String meshName) {
        List<SpecProblem> problems = MeshSpecs.problems(MeshSpec.of(meshName, List.of())).stream()
                .filter(p -> p.path().equals("mesh") || p.path().equals("(document)") && meshName == null)
                .toList();
        if (meshName == null || !problems.isEmpty()) {
            String found = problems.isEmpty() ? "mesh: null (expected: a mesh name)" : problems.get(0).toString();
            throw new IllegalArgumentException("meshName: " + found);
        }
        return meshName;
    }

    public String meshName() {
        return meshName;
    }

    public String trustDomain() {
        return settingsSpec().trustDomain();
    }

    public INamespace namespace() {
        return namespace;
    }

    /** The private hosted zone of a DNS namespace; empty for an HTTP namespace. */
    public Optional<String> hostedZoneId() {
        return hostedZoneId;
    }

    public CfnParameter settingsParameter() {
        return settings;
    }

    public ISecret caSecret() {
        return caSecret;
    }

    public LogGroup proxyLogGroup() {
        return proxyLogs;
    }

    public MeshDashboard dashboard() {
        return dashboard;
    }

    public Optional<MeshHooks> hooks() {
        return Optional.ofNullable(hooks);
    }

    public Optional<EcsController> controller() {
        return Optional.ofNullable(controller);
    }

    /** The CA's root certificate (PEM) when the CA custom resource made it; empty without hooks. */
    public Optional<String> caRootCertificatePem() {
        return hooks().map(MeshHooks::caRootCertificatePem);
    }

    /** Where sidecars reach the controller: {@link MeshProps#getControllerUrl()}, else the ECS controller's. */
    public Optional<String> controllerUrl() {
        if (props.getControllerUrl() != null) {
            return Optional.of(props.getControllerUrl());
        }
        return controller().map(EcsController::url);
    }

    public Optional<ProxyImage> proxyImage() {
        return Optional.ofNullable(props.getProxyImage());
    }

    public List<MeshService> services() {
        return List.copyOf(services);
    }

    public String metricsNamespace() {
        return props.getMetricsNamespace() != null ? props.getMetricsNamespace() : ProxyMetrics.DEFAULT_NAMESPACE;
    }

    public RetentionDays logRetention() {
        return props.getLogRetention() != null ? props.getLogRetention() : RetentionDays.ONE_MONTH;
    }
}
