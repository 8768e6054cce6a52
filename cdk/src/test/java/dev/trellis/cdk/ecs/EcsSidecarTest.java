package dev.trellis.cdk.ecs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.cdk.images.ProxyImage;
import dev.trellis.cdk.mesh.Mesh;
import dev.trellis.cdk.mesh.MeshProps;
import dev.trellis.cdk.service.MeshService;
import dev.trellis.cdk.service.MeshServiceProps;
import dev.trellis.cdk.testing.CfnLint;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.ec2.InstanceType;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ecs.AddCapacityOptions;
import software.amazon.awscdk.services.ecs.Cluster;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.ecs.Ec2Service;
import software.amazon.awscdk.services.ecs.Ec2TaskDefinition;
import software.amazon.awscdk.services.ecs.FargateService;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;
import software.amazon.awscdk.services.ecs.NetworkMode;
import software.amazon.awscdk.services.ecs.PortMapping;
import software.amazon.awscdk.services.ecs.TaskDefinition;

class EcsSidecarTest {

    static final String CONTROLLER_URL = "http://controller.shop.internal:15010";

    static Stack stack;
    static Template template;
    static EcsSidecar fargateSidecar;

    @BeforeAll
    static void synthesizeOneApp() {
        // Launch templates rather than the retired launch configurations for the EC2 capacity.
        App app = new App(AppProps.builder().context(Map.of(
                "@aws-cdk/aws-autoscaling:generateLaunchTemplateInsteadOfLaunchConfig", true)).build());
        stack = new Stack(app, "Workloads");
        Vpc vpc = Vpc.Builder.create(stack, "Vpc").maxAzs(2).natGateways(1).build();
        Cluster cluster = Cluster.Builder.create(stack, "Cluster").vpc(vpc).build();
        cluster.addCapacity("Capacity", AddCapacityOptions.builder()
                .instanceType(new InstanceType("t3.medium")).desiredCapacity(1).build());
        Mesh mesh = new Mesh(stack, "Mesh", MeshProps.builder()
                .meshName("shop")
                .controllerUrl(CONTROLLER_URL)
                .proxyImage(ProxyImage.fromRegistry("public.ecr.aws/trellis/proxy:0.1.0"))
                .build());
        MeshService orders = mesh.addService("Orders", MeshServiceProps.builder()
                .serviceName("orders").port(8081).versions(List.of("v1", "v2")).build());

        FargateTaskDefinition fargateTask = FargateTaskDefinition.Builder.create(stack, "OrdersV2Task")
                .cpu(512).memoryLimitMiB(1024).build();
        app(fargateTask, 8081);
        fargateSidecar = new EcsSidecar(stack, "OrdersV2Mesh", EcsSidecarProps.builder()
                .meshService(orders).version("v2").taskDefinition(fargateTask).build());
        FargateService fargate = FargateService.Builder.create(stack, "OrdersV2Service")
                .cluster(cluster).taskDefinition(fargateTask).build();
        fargateSidecar.registerService(fargate);

        Ec2TaskDefinition ec2Task = Ec2TaskDefinition.Builder.create(stack, "OrdersV1Task")
                .networkMode(NetworkMode.AWS_VPC).build();
        app(ec2Task, 8081);
        EcsSidecar ec2Sidecar = new EcsSidecar(stack, "OrdersV1Mesh", EcsSidecarProps.builder()
                .meshService(orders).version("v1").taskDefinition(ec2Task)
                .proxyImage(ProxyImage.fromRegistry("registry.example.com/trellis/proxy:custom"))
                .proxyCpu(128).proxyMemoryReservationMiB(256)
                .transparentInterception(false)
                .build());
        Ec2Service ec2 = Ec2Service.Builder.create(stack, "OrdersV1Service")
                .cluster(cluster).taskDefinition(ec2Task).build();
        ec2Sidecar.registerService(ec2);

        template = Template.fromStack(stack);
    }

    static void app(TaskDefinition task, int port) {
        task.addContainer("app", ContainerDefinitionOptions.builder()
                .image(ContainerImage.fromRegistry("public.ecr.aws/trellis/shop-orders:0.1.0"))
                .memoryLimitMiB(512)
                .essential(true)
                .portMappings(List.of(PortMapping.builder().containerPort(port).build()))
                .build());
    }

    static Object proxyContainer(Map<String, Object> extra) {
        Map<String, Object> expected = new java.util.HashMap<>(Map.of(
                "Name", "trellis-proxy",
                "Essential", true,
                "User", "1337",
                "PortMappings", List.of(
                        Match.objectLike(Map.of("ContainerPort", 15000, "Protocol", "tcp")),
                        Match.objectLike(Map.of("ContainerPort", 15001, "Protocol", "tcp")),
                        Match.objectLike(Map.of("ContainerPort", 9901, "Protocol", "tcp"))),
                "HealthCheck", Match.objectLike(Map.of("Command", List.of("CMD", "bash", "-c",
                        "exec 3<>/dev/tcp/127.0.0.1/9901 && printf 'GET /ready HTTP/1.0\\r\\n\\r\\n' >&3"
                                + " && head -n 1 <&3 | grep -q ' 200 '")))));
        expected.putAll(extra);
        return Match.objectLike(expected);
    }

    @Test
    @DisplayName("GIVEN a Fargate task WHEN the sidecar is added THEN an essential proxy container runs as 1337 on 15000/15001/9901, healthy on /ready")
    void proxyContainerOnFargate() {
        template.hasResourceProperties("AWS::ECS::TaskDefinition", Map.of(
                "RequiresCompatibilities", List.of("FARGATE"),
                "ContainerDefinitions", Match.arrayWith(List.of(proxyContainer(Map.of(
                        "Image", "public.ecr.aws/trellis/proxy:0.1.0",
                        "MemoryReservation", 128,
                        "Command", List.of("--app-port", "8081", "--cloudwatch-namespace", "Trellis"),
                        "Environment", Match.arrayWith(List.of(
                                Map.of("Name", "TRELLIS_MESH", "Value", "shop"),
                                Map.of("Name", "TRELLIS_SERVICE", "Value", "orders"),
                                Map.of("Name", "TRELLIS_VERSION", "Value", "v2"),
                                Map.of("Name", "TRELLIS_APP_PORT", "Value", "8081"),
                                Map.of("Name", "TRELLIS_CONTROLLER_URL", "Value", CONTROLLER_URL))),
                        "DockerLabels", Map.of("trellis.dev/mesh", "shop", "trellis.dev/service", "orders",
                                "trellis.dev/version", "v2"),
                        "LogConfiguration", Match.objectLike(Map.of(
                                "LogDriver", "awslogs",
                                "Options", Match.objectLike(Map.of(
                                        "awslogs-group", Map.of("Ref", Match.stringLikeRegexp("^MeshProxyLogs")),
                                        "awslogs-stream-prefix", "orders-v2"))))))))));
    }

    @Test
    @DisplayName("GIVEN the sidecar WHEN synthesized THEN the application starts only once the proxy is HEALTHY")
    void applicationWaitsForTheProxy() {
        template.hasResourceProperties("AWS::ECS::TaskDefinition", Map.of(
                "RequiresCompatibilities", List.of("FARGATE"),
                "ContainerDefinitions", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Name", "app",
                        "DependsOn", List.of(Map.of("ContainerName", "trellis-proxy", "Condition", "HEALTHY"))))))));
    }

    @Test
    @DisplayName("GIVEN default interception WHEN synthesized THEN the task's proxy configuration redirects the app port through 15000/15001, sparing UID 1337 and the metadata addresses")
    void transparentInterception() {
        template.hasResourceProperties("AWS::ECS::TaskDefinition", Map.of(
                "RequiresCompatibilities", List.of("FARGATE"),
                "ProxyConfiguration", Map.of(
                        "Type", "APPMESH",
                        "ContainerName", "trellis-proxy",
                        "ProxyConfigurationProperties", List.of(
                                Map.of("Name", "IgnoredUID", "Value", "1337"),
                                Map.of("Name", "ProxyIngressPort", "Value", "15000"),
                                Map.of("Name", "ProxyEgressPort", "Value", "15001"),
                                Map.of("Name", "AppPorts", "Value", "8081"),
                                Map.of("Name", "EgressIgnoredIPs", "Value", "169.254.170.2,169.254.169.254")))));
    }

    @Test
    @DisplayName("GIVEN an EC2 task in awsvpc mode with its own image, CPU, memory and no interception WHEN synthesized THEN the proxy uses them and no proxy configuration is set")
    void ec2Task() {
        template.hasResourceProperties("AWS::ECS::TaskDefinition", Map.of(
                "RequiresCompatibilities", List.of("EC2"),
                "NetworkMode", "awsvpc",
                "ProxyConfiguration", Match.absent(),
                "ContainerDefinitions", Match.arrayWith(List.of(proxyContainer(Map.of(
                        "Image", "registry.example.com/trellis/proxy:custom",
                        "Cpu", 128,
                        "MemoryReservation", 256,
                        "Environment", Match.arrayWith(List.of(Map.of("Name", "TRELLIS_VERSION", "Value", "v1")))))))));
    }

    @Test
    @DisplayName("GIVEN the sidecar WHEN synthesized THEN the task definition carries trellis.dev/* tags and the service propagates them to its tasks")
    void tags() {
        template.hasResourceProperties("AWS::ECS::TaskDefinition", Map.of(
                "RequiresCompatibilities", List.of("FARGATE"),
                "Tags", Match.arrayWith(List.of(
                        Map.of("Key", "trellis.dev/mesh", "Value", "shop"),
                        Map.of("Key", "trellis.dev/service", "Value", "orders"),
                        Map.of("Key", "trellis.dev/version", "Value", "v2")))));
        template.hasResourceProperties("AWS::ECS::Service", Map.of(
                "LaunchType", "FARGATE",
                "PropagateTags", "TASK_DEFINITION",
                "EnableECSManagedTags", true,
                "Tags", Match.arrayWith(List.of(Map.of("Key", "trellis.dev/version", "Value", "v2")))));
        assertThat(fargateSidecar.workloadLabels()).containsExactly(
                Map.entry("trellis.dev/mesh", "shop"), Map.entry("trellis.dev/service", "orders"), Map.entry("trellis.dev/version", "v2"));
    }

    @Test
    @DisplayName("GIVEN the sidecar WHEN synthesized THEN the task role may publish metrics to the mesh's namespace only")
    void taskRoleMayPublishMetrics() {
        template.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "PolicyName", Match.stringLikeRegexp("^OrdersV2TaskTaskRole"),
                "PolicyDocument", Map.of("Statement", List.of(Match.objectLike(Map.of(
                        "Action", "cloudwatch:PutMetricData",
                        "Condition", Map.of("StringEquals", Map.of("cloudwatch:namespace", "Trellis"))))))));
    }

    @Test
    @DisplayName("GIVEN a registered service WHEN synthesized THEN mesh peers in the VPC may reach the proxy's inbound port")
    void inboundPortOpen() {
        template.hasResourceProperties("AWS::EC2::SecurityGroup", Map.of(
                "SecurityGroupIngress", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "FromPort", 15000, "ToPort", 15000, "IpProtocol", "tcp"))))));
    }

    @Test
    @DisplayName("GIVEN the workloads template WHEN cfn-lint checks it THEN it finds no error and no warning of ours")
    void cfnLint(@TempDir Path out) {
        assertThat(CfnLint.problems(CfnLint.lint(List.of(CfnLint.write(stack, out))))).isEmpty();
    }

    // ---- failing cases ----

    record Fixture(Stack stack, Mesh mesh, MeshService orders) {
    }

    static Fixture fresh(boolean withControllerUrl) {
        Stack stack = new Stack(new App(), "Bad");
        MeshProps.Builder props = MeshProps.builder().meshName("shop")
                .proxyImage(ProxyImage.fromRegistry("public.ecr.aws/trellis/proxy:0.1.0"));
        if (withControllerUrl) {
            props.controllerUrl(CONTROLLER_URL);
        }
        Mesh mesh = new Mesh(stack, "Mesh", props.build());
        MeshService orders = mesh.addService("Orders", MeshServiceProps.builder()
                .serviceName("orders").port(8081).versions(List.of("v1", "v2")).build());
        return new Fixture(stack, mesh, orders);
    }

    @Test
    @DisplayName("GIVEN a version the service does not list WHEN validated THEN the error names it and the service's versions")
    void unknownVersion() {
        Fixture f = fresh(true);
        FargateTaskDefinition task = FargateTaskDefinition.Builder.create(f.stack(), "Task").build();
        app(task, 8081);
        EcsSidecar sidecar = new EcsSidecar(f.stack(), "Mesh3", EcsSidecarProps.builder()
                .meshService(f.orders()).version("v3").taskDefinition(task).build());
        assertThat(sidecar.getNode().validate())
                .containsExactly("version: v3 (expected: one of v1, v2, the versions of service orders)");
    }

    @Test
    @DisplayName("GIVEN an EC2 task in bridge mode WHEN validated THEN the error says awsvpc is needed and why")
    void bridgeMode() {
        Fixture f = fresh(true);
        Ec2TaskDefinition task = Ec2TaskDefinition.Builder.create(f.stack(), "Task").networkMode(NetworkMode.BRIDGE).build();
        app(task, 8081);
        EcsSidecar sidecar = new EcsSidecar(f.stack(), "Sidecar", EcsSidecarProps.builder()
                .meshService(f.orders()).taskDefinition(task).transparentInterception(false).build());
        assertThat(sidecar.getNode().validate())
                .containsExactly("taskDefinition.networkMode: bridge (expected: awsvpc, so that the application and its proxy share localhost)");
    }

    @Test
    @DisplayName("GIVEN a task without an application container WHEN validated THEN the error says which container is missing")
    void noApplication() {
        Fixture f = fresh(true);
        FargateTaskDefinition task = FargateTaskDefinition.Builder.create(f.stack(), "Task").build();
        EcsSidecar sidecar = new EcsSidecar(f.stack(), "Sidecar", EcsSidecarProps.builder()
                .meshService(f.orders()).taskDefinition(task).build());
        assertThat(sidecar.getNode().validate()).singleElement().asString()
                .startsWith("applicationContainer: none (expected: the application's container, added to Bad/Task");
    }

    @Test
    @DisplayName("GIVEN a mesh with no controller and no controller URL WHEN validated THEN the error says how to give one")
    void noController() {
        Fixture f = fresh(false);
        FargateTaskDefinition task = FargateTaskDefinition.Builder.create(f.stack(), "Task").build();
        app(task, 8081);
        EcsSidecar sidecar = new EcsSidecar(f.stack(), "Sidecar", EcsSidecarProps.builder()
                .meshService(f.orders()).taskDefinition(task).build());
        assertThat(sidecar.getNode().validate()).containsExactly("controllerUrl: none (expected: MeshProps.controller(...)"
                + " to run the controller on ECS, or MeshProps.controllerUrl(...) naming where it runs)");
    }

    @Test
    @DisplayName("GIVEN no proxy image anywhere WHEN the sidecar is created THEN it fails saying where to set one")
    void noProxyImage() {
        Stack stack = new Stack(new App(), "Bad");
        Mesh mesh = new Mesh(stack, "Mesh", MeshProps.builder().meshName("shop").controllerUrl(CONTROLLER_URL).build());
        MeshService orders = mesh.addService("Orders", MeshServiceProps.builder().serviceName("orders").port(8081).build());
        FargateTaskDefinition task = FargateTaskDefinition.Builder.create(stack, "Task").build();
        assertThatThrownBy(() -> new EcsSidecar(stack, "Sidecar", EcsSidecarProps.builder()
                .meshService(orders).taskDefinition(task).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("proxyImage: null (expected: EcsSidecarProps.proxyImage(...) or MeshProps.proxyImage(...))");
    }

    @Test
    @DisplayName("GIVEN a service of another task definition WHEN registered THEN it fails naming both task definitions")
    void registerForeignService() {
        Fixture f = fresh(true);
        Vpc vpc = Vpc.Builder.create(f.stack(), "Vpc").maxAzs(1).natGateways(0).build();
        Cluster cluster = Cluster.Builder.create(f.stack(), "Cluster").vpc(vpc).build();
        FargateTaskDefinition mine = FargateTaskDefinition.Builder.create(f.stack(), "Mine").build();
        app(mine, 8081);
        FargateTaskDefinition other = FargateTaskDefinition.Builder.create(f.stack(), "Other").build();
        app(other, 8081);
        EcsSidecar sidecar = new EcsSidecar(f.stack(), "Sidecar", EcsSidecarProps.builder()
                .meshService(f.orders()).taskDefinition(mine).build());
        FargateService service = FargateService.Builder.create(f.stack(), "Service").cluster(cluster).taskDefinition(other).build();
        assertThatThrownBy(() -> sidecar.registerService(service))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("service Bad/Service: task definition Bad/Other (expected: Bad/Mine, the task definition of this sidecar)");
    }

    @Test
    @DisplayName("GIVEN no mesh service WHEN the sidecar is created THEN it fails saying a MeshService is expected")
    void noMeshService() {
        Stack stack = new Stack(new App(), "Bad");
        FargateTaskDefinition task = FargateTaskDefinition.Builder.create(stack, "Task").build();
        assertThatThrownBy(() -> new EcsSidecar(stack, "Sidecar", EcsSidecarProps.builder().taskDefinition(task).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("meshService: null (expected: the MeshService the task is a workload of)");
    }
}
