package dev.trellis.cdk.controller;

import dev.trellis.cdk.internal.Lazies;
import dev.trellis.cdk.mesh.Mesh;
import dev.trellis.naming.SsmPaths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.services.ec2.Peer;
import software.amazon.awscdk.services.ec2.Port;
import software.amazon.awscdk.services.ecs.AwsLogDriverProps;
import software.amazon.awscdk.services.ecs.ContainerDefinition;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.DeploymentCircuitBreaker;
import software.amazon.awscdk.services.ecs.FargateService;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;
import software.amazon.awscdk.services.ecs.HealthCheck;
import software.amazon.awscdk.services.ecs.LogDriver;
import software.amazon.awscdk.services.ecs.PortMapping;
import software.amazon.awscdk.services.elasticloadbalancingv2.BaseNetworkListenerProps;
import software.amazon.awscdk.services.elasticloadbalancingv2.NetworkListener;
import software.amazon.awscdk.services.elasticloadbalancingv2.NetworkLoadBalancer;
import software.amazon.awscdk.services.elasticloadbalancingv2.NetworkTargetGroup;
import software.amazon.awscdk.services.elasticloadbalancingv2.Protocol;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.secretsmanager.ISecret;
import software.amazon.awscdk.services.secretsmanager.SecretStringGenerator;
import software.constructs.Construct;

/**
 * The mesh's controller as an ECS Fargate service behind an internal Network Load Balancer.
 * The load balancer gives proxies one stable address whatever the namespace type (an HTTP
 * namespace has no DNS) and passes TLS through untouched. Construct ids are a public contract:
 * {@code Logs}, {@code AdminToken}, {@code TaskDefinition}, {@code Service}, {@code LoadBalancer}.
 */
public final class EcsController extends Construct {

    /** The controller's container name in its task definition. */
    public static final String CONTAINER_NAME = "controller";

    private final FargateService service;
    private final NetworkLoadBalancer loadBalancer;
    private final LogGroup logGroup;
    private final ContainerDefinition container;
    private final software.amazon.awscdk.services.secretsmanager.Secret adminToken;

    public EcsController(Construct scope, String id, EcsControllerProps props) {
        super(scope, id);
        Mesh mesh = Objects.requireNonNull(props.mesh(), "mesh");
        EcsControllerOptions options = props.options();
        if (options.getCluster() == null) {
            throw new IllegalArgumentException("controller.cluster: null (expected: the ECS cluster the controller runs in)");
        }
        if (options.getImage() == null) {
            throw new IllegalArgumentException("controller.image: null (expected: ControllerImage.fromRegistry(uri) or fromAsset(dir))");
        }
        mesh.addEcsCluster(options.getCluster());

        logGroup = LogGroup.Builder.create(this, "Logs").retention(mesh.logRetention()).build();
        // Revocation is an operator's act: a token of its own, never the proxies' bootstrap proof.
        adminToken = software.amazon.awscdk.services.secretsmanager.Secret.Builder.create(this, "AdminToken")
                .description("Bearer token for the " + mesh.meshName() + " mesh controller's admin API (POST /v1/revocations)")
                .generateSecretString(SecretStringGenerator.builder().excludePunctuation(true).passwordLength(48).build())
                .build();
        FargateTaskDefinition taskDefinition = FargateTaskDefinition.Builder.create(this, "TaskDefinition")
                .cpu(number(options.getCpu(), 512))
                .memoryLimitMiB(number(options.getMemoryLimitMiB(), 1024))
                .build();
        container = taskDefinition.addContainer(CONTAINER_NAME, ContainerDefinitionOptions.builder()
                .image(options.getImage().bind(this, "Image").containerImage())
                .essential(true)
                .command(Lazies.list(() -> command(mesh)))
                .environment(environment(mesh))
                .secrets(Map.of(ControllerEnvironment.ADMIN_TOKEN,
                        software.amazon.awscdk.services.ecs.Secret.fromSecretsManager(adminToken)))
                .portMappings(List.of(PortMapping.builder().containerPort(ControllerPorts.HTTP).name("http").build()))
                .healthCheck(HealthCheck.builder()
                        .command(ControllerPorts.httpCheck(ControllerPorts.HTTP, ControllerPorts.READY_PATH))
                        .interval(Duration.seconds(10))
                        .timeout(Duration.seconds(5))
                        .retries(3)
                        .startPeriod(Duration.seconds(30))
                        .build())
                .logging(LogDriver.awsLogs(AwsLogDriverProps.builder()
                        .logGroup(logGroup).streamPrefix("controller").build()))
                .build());
        ControllerPermissions.grantMesh(taskDefinition.getTaskRole(), mesh);
        ControllerPermissions.grantEcsTasks(taskDefinition.getTaskRole(), mesh);

        service = FargateService.Builder.create(this, "Service")
                .cluster(options.getCluster())
                .taskDefinition(taskDefinition)
                .desiredCount(number(options.getDesiredCount(), 2))
                .minHealthyPercent(100)
                .maxHealthyPercent(200)
                .vpcSubnets(options.getVpcSubnets())
                .circuitBreaker(DeploymentCircuitBreaker.builder().rollback(true).build())
                .build();
        String vpcCidr = options.getCluster().getVpc().getVpcCidrBlock();
        service.getConnections().allowFrom(Peer.ipv4(vpcCidr), Port.tcp(ControllerPorts.HTTP),
                "proxies fetch snapshots and certificates; the load balancer checks /ready");

        loadBalancer = NetworkLoadBalancer.Builder.create(this, "LoadBalancer")
                .vpc(options.getCluster().getVpc())
                .internetFacing(false)
                .vpcSubnets(options.getVpcSubnets())
                .crossZoneEnabled(true)
                .build();
        NetworkListener listener = loadBalancer.addListener("Api", BaseNetworkListenerProps.builder()
                .port(ControllerPorts.HTTP).protocol(Protocol.TCP).build());
        NetworkTargetGroup targets = listener.addTargets("Controller", software.amazon.awscdk.services.elasticloadbalancingv2.AddNetworkTargetsProps.builder()
                .port(ControllerPorts.HTTP)
                .protocol(Protocol.TCP)
                .targets(List.of(service.loadBalancerTarget(
                        software.amazon.awscdk.services.ecs.LoadBalancerTargetOptions.builder()
                                .containerName(CONTAINER_NAME).containerPort(ControllerPorts.HTTP).build())))
                .healthCheck(software.amazon.awscdk.services.elasticloadbalancingv2.HealthCheck.builder()
                        .protocol(Protocol.HTTP)
                        .port(Integer.toString(ControllerPorts.HTTP))
                        .path(ControllerPorts.READY_PATH)
                        .interval(Duration.seconds(10))
                        .healthyThresholdCount(2)
                        .unhealthyThresholdCount(2)
                        .build())
                .deregistrationDelay(Duration.seconds(30))
                .build());
        Objects.requireNonNull(targets);
    }

    /** Where proxies reach the controller: the internal load balancer's DNS name and the API port. */
    public String url() {
        return "http://" + loadBalancer.getLoadBalancerDnsName() + ":" + ControllerPorts.HTTP;
    }

    public FargateService service() {
        return service;
    }

    public NetworkLoadBalancer loadBalancer() {
        return loadBalancer;
    }

    public LogGroup logGroup() {
        return logGroup;
    }

    public ContainerDefinition container() {
        return container;
    }

    /** The admin API's bearer token (revocations): read it from Secrets Manager to revoke a certificate. */
    public ISecret adminToken() {
        return adminToken;
    }

    /**
     * The controller's command line (controller/README): the spec from SSM, endpoints in Cloud Map,
     * the URL proxies reach it at (leaves name its CRL there), and the tasks of every ECS cluster
     * of the mesh, complete at synth.
     */
    private List<String> command(Mesh mesh) {
        List<String> command = new java.util.ArrayList<>(List.of("--mesh", mesh.meshName(), "--registry", "cloudmap",
                "--namespace-id", mesh.namespace().getNamespaceId(), "--port", Integer.toString(ControllerPorts.HTTP),
                "--controller-url", url()));
        for (String cluster : mesh.ecsClusterArnList()) {
            command.add("--ecs-cluster");
            command.add(cluster);
        }
        return command;
    }

    /** What the controller may read beyond its command line (the CA, trust domain, metrics). */
    private static Map<String, String> environment(Mesh mesh) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(ControllerEnvironment.MESH, mesh.meshName());
        env.put(ControllerEnvironment.SPEC_SOURCE, "ssm:" + SsmPaths.meshRoot(mesh.meshName()));
        env.put(ControllerEnvironment.NAMESPACE_ID, mesh.namespace().getNamespaceId());
        env.put(ControllerEnvironment.NAMESPACE_NAME, mesh.namespace().getNamespaceName());
        env.put(ControllerEnvironment.CA_SECRET_ARN, mesh.caSecret().getSecretArn());
        env.put(ControllerEnvironment.TRUST_DOMAIN, mesh.trustDomain());
        env.put(ControllerEnvironment.ECS_CLUSTERS,
                Fn.join(",", mesh.ecsClusterArns()));
        env.put(ControllerEnvironment.METRICS_NAMESPACE, mesh.metricsNamespace());
        return env;
    }

    private static Number number(Number value, int fallback) {
        return value != null ? value : fallback;
    }
}
