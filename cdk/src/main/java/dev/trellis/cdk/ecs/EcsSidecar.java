package dev.trellis.cdk.ecs;

import dev.trellis.cdk.controller.ControllerEnvironment;
import dev.trellis.cdk.controller.ControllerPermissions;
import dev.trellis.cdk.controller.ControllerPorts;
import dev.trellis.cdk.images.ProxyImage;
import dev.trellis.cdk.mesh.Mesh;
import dev.trellis.cdk.service.MeshService;
import dev.trellis.naming.MeshPorts;
import dev.trellis.naming.WorkloadLabels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Tags;
import software.amazon.awscdk.services.ec2.Peer;
import software.amazon.awscdk.services.ec2.Port;
import software.amazon.awscdk.services.ecs.AwsLogDriverProps;
import software.amazon.awscdk.services.ecs.BaseService;
import software.amazon.awscdk.services.ecs.CfnService;
import software.amazon.awscdk.services.ecs.CfnTaskDefinition;
import software.amazon.awscdk.services.ecs.ContainerDefinition;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.ContainerDependency;
import software.amazon.awscdk.services.ecs.ContainerDependencyCondition;
import software.amazon.awscdk.services.ecs.HealthCheck;
import software.amazon.awscdk.services.ecs.LogDriver;
import software.amazon.awscdk.services.ecs.NetworkMode;
import software.amazon.awscdk.services.ecs.PortMapping;
import software.amazon.awscdk.services.ecs.PropagatedTagSource;
import software.amazon.awscdk.services.ecs.Protocol;
import software.amazon.awscdk.services.ecs.TaskDefinition;
import software.constructs.Construct;

/**
 * Puts the Trellis proxy beside the application in an ECS task definition (Fargate or EC2,
 * awsvpc network mode): the proxy container (essential, user 1337, ports 15000/15001/9901,
 * healthy when {@code /ready} answers), the application started only once the proxy is
 * HEALTHY, transparent interception through the task's proxy configuration, the task role's
 * permission to publish metrics, logs in the mesh's proxy log group, and the {@code trellis.dev/*}
 * tags that tell the controller which service and version a task is.
 *
 * <pre>{@code
 * EcsSidecar sidecar = new EcsSidecar(this, "OrdersV1Mesh", EcsSidecarProps.builder()
 *         .meshService(orders).version("v1").taskDefinition(taskDefinition).build());
 * sidecar.registerService(fargateService);
 * }</pre>
 */
public class EcsSidecar extends Construct {

    /** The proxy's container name in the task definition. */
    public static final String CONTAINER_NAME = "trellis-proxy";
    /** The proxy's readiness endpoint on the admin port. */
    public static final String READY_PATH = "/ready";
    /** Environment variable: the application's port, where the proxy forwards inbound requests. */
    public static final String ENV_APP_PORT = "TRELLIS_APP_PORT";
    /** Task metadata and instance metadata addresses, never redirected through the proxy. */
    static final String EGRESS_IGNORED_IPS = "169.254.170.2,169.254.169.254";

    private final MeshService meshService;
    private final Mesh mesh;
    private final String version;
    private final TaskDefinition taskDefinition;
    private final ContainerDefinition proxy;
    private final ContainerDefinition application;

    public EcsSidecar(Construct scope, String id, EcsSidecarProps props) {
        super(scope, id);
        meshService = required(props.getMeshService(), "meshService", "the MeshService the task is a workload of");
        taskDefinition = required(props.getTaskDefinition(), "taskDefinition", "a Fargate or EC2 task definition");
        mesh = meshService.mesh();
        version = props.getVersion() != null ? props.getVersion() : WorkloadLabels.DEFAULT_VERSION;
        application = props.getApplicationContainer() != null
                ? props.getApplicationContainer() : taskDefinition.getDefaultContainer();
        ProxyImage image = props.getProxyImage() != null ? props.getProxyImage() : mesh.proxyImage().orElseThrow(() ->
                new IllegalArgumentException("proxyImage: null (expected: EcsSidecarProps.proxyImage(...) or MeshProps.proxyImage(...))"));

        ContainerDefinitionOptions.Builder container = ContainerDefinitionOptions.builder()
                .containerName(CONTAINER_NAME)
                .image(image.bind(this, "ProxyImage").containerImage())
                .essential(true)
                .user(Integer.toString(MeshPorts.PROXY_UID))
                // The proxy's own flags (proxy-image Main); where it finds the controller is in the environment.
                .command(List.of("--app-port", Integer.toString(meshService.port()),
                        "--cloudwatch-namespace", mesh.metricsNamespace()))
                .environment(environment())
                .dockerLabels(labels())
                .portMappings(List.of(
                        port(MeshPorts.INBOUND, "inbound"),
                        port(MeshPorts.OUTBOUND, "outbound"),
                        port(MeshPorts.ADMIN, "admin")))
                .healthCheck(HealthCheck.builder()
                        .command(ControllerPorts.httpCheck(MeshPorts.ADMIN, READY_PATH))
                        .interval(Duration.seconds(5))
                        .timeout(Duration.seconds(2))
                        .retries(3)
                        .startPeriod(Duration.seconds(10))
                        .build())
                .memoryReservationMiB(props.getProxyMemoryReservationMiB() != null ? props.getProxyMemoryReservationMiB() : 128)
                .logging(LogDriver.awsLogs(AwsLogDriverProps.builder()
                        .logGroup(mesh.proxyLogGroup())
                        .streamPrefix(meshService.serviceName() + "-" + version)
                        .build()));
        if (props.getProxyCpu() != null) {
            container.cpu(props.getProxyCpu());
        }
        proxy = taskDefinition.addContainer(CONTAINER_NAME, container.build());

        if (application != null && application != proxy) {
            application.addContainerDependencies(ContainerDependency.builder()
                    .container(proxy).condition(ContainerDependencyCondition.HEALTHY).build());
        }
        if (props.getTransparentInterception() == null || props.getTransparentInterception()) {
            interceptTraffic();
        }
        taskDefinition.getTaskRole().addToPrincipalPolicy(ControllerPermissions.metricsStatement(mesh));
        workloadLabels().forEach((key, value) -> Tags.of(taskDefinition).add(key, value));

        getNode().addValidation(this::problems);
    }

    /**
     * Makes an ECS service of this task definition a workload of the mesh: its tasks carry the
     * task definition's {@code trellis.dev/*} tags, its cluster is watched by the controller and the
     * task hook, and other workloads in the VPC may reach its proxy's inbound port. The
     * controller (not ECS service discovery) registers the tasks in the service's Cloud Map
     * service, with the proxy's inbound port and the version as attributes.
     */
    public void registerService(BaseService service) {
        if (service.getTaskDefinition() != taskDefinition) {
            throw new IllegalArgumentException("service " + service.getNode().getPath() + ": task definition "
                    + service.getTaskDefinition().getNode().getPath() + " (expected: " + taskDefinition.getNode().getPath()
                    + ", the task definition of this sidecar)");
        }
        CfnService cfn = (CfnService) service.getNode().getDefaultChild();
        cfn.setPropagateTags(PropagatedTagSource.TASK_DEFINITION.name());
        cfn.setEnableEcsManagedTags(true);
        workloadLabels().forEach((key, value) -> Tags.of(service).add(key, value));
        mesh.addEcsCluster(service.getCluster());
        service.getConnections().allowFrom(Peer.ipv4(service.getCluster().getVpc().getVpcCidrBlock()),
                Port.tcp(MeshPorts.INBOUND), "mesh peers reach the proxy's inbound listener");
    }

    public ContainerDefinition proxyContainer() {
        return proxy;
    }

    public MeshService meshService() {
        return meshService;
    }

    public String version() {
        return version;
    }

    /** The tags (and Docker labels) that name the workload, e.g. {@code trellis.dev/service=orders}. */
    public Map<String, String> workloadLabels() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(WorkloadLabels.MESH, mesh.meshName());
        labels.put(WorkloadLabels.SERVICE, meshService.serviceName());
        labels.put(WorkloadLabels.VERSION, version);
        return labels;
    }

    private Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(WorkloadLabels.ENV_MESH, mesh.meshName());
        env.put(WorkloadLabels.ENV_SERVICE, meshService.serviceName());
        env.put(WorkloadLabels.ENV_VERSION, version);
        env.put(ENV_APP_PORT, Integer.toString(meshService.port()));
        env.put(ControllerEnvironment.METRICS_NAMESPACE, mesh.metricsNamespace());
        mesh.controllerUrl().ifPresent(url -> env.put(ControllerEnvironment.CONTROLLER_URL, url));
        return env;
    }

    private Map<String, String> labels() {
        return workloadLabels();
    }

    private void interceptTraffic() {
        CfnTaskDefinition cfn = (CfnTaskDefinition) taskDefinition.getNode().getDefaultChild();
        List<CfnTaskDefinition.KeyValuePairProperty> properties = new ArrayList<>();
        properties.add(pair("IgnoredUID", Integer.toString(MeshPorts.PROXY_UID)));
        properties.add(pair("ProxyIngressPort", Integer.toString(MeshPorts.INBOUND)));
        properties.add(pair("ProxyEgressPort", Integer.toString(MeshPorts.OUTBOUND)));
        properties.add(pair("AppPorts", Integer.toString(meshService.port())));
        properties.add(pair("EgressIgnoredIPs", EGRESS_IGNORED_IPS));
        // ECS's proxy configuration type for this redirection is still named after App Mesh.
        cfn.setProxyConfiguration(CfnTaskDefinition.ProxyConfigurationProperty.builder()
                .type("APPMESH")
                .containerName(CONTAINER_NAME)
                .proxyConfigurationProperties(properties)
                .build());
    }

    private List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (!meshService.versions().contains(version)) {
            problems.add("version: " + version + " (expected: one of " + String.join(", ", meshService.versions())
                    + ", the versions of service " + meshService.serviceName() + ")");
        }
        if (taskDefinition.getNetworkMode() != NetworkMode.AWS_VPC) {
            problems.add("taskDefinition.networkMode: " + taskDefinition.getNetworkMode().name().toLowerCase().replace("_", "")
                    + " (expected: awsvpc, so that the application and its proxy share localhost)");
        }
        if (application == null || application == proxy) {
            problems.add("applicationContainer: none (expected: the application's container, added to "
                    + taskDefinition.getNode().getPath() + " before the sidecar, or named in EcsSidecarProps)");
        }
        if (mesh.controllerUrl().isEmpty()) {
            problems.add("controllerUrl: none (expected: MeshProps.controller(...) to run the controller on ECS,"
                    + " or MeshProps.controllerUrl(...) naming where it runs)");
        }
        return problems;
    }

    private static PortMapping port(int port, String name) {
        return PortMapping.builder().containerPort(port).protocol(Protocol.TCP).name(name).build();
    }

    private static CfnTaskDefinition.KeyValuePairProperty pair(String name, String value) {
        return CfnTaskDefinition.KeyValuePairProperty.builder().name(name).value(value).build();
    }

    private static <T> T required(T value, String name, String expected) {
        if (value == null) {
            throw new IllegalArgumentException(name + ": null (expected: " + expected + ")");
        }
        return Objects.requireNonNull(value);
    }
}
