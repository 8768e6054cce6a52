package dev.trellis.cdk.mesh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.cdk.controller.ControllerPorts;
import dev.trellis.cdk.controller.EcsControllerOptions;
import dev.trellis.cdk.hooks.CanaryRollout;
import dev.trellis.cdk.hooks.LambdaHooks;
import dev.trellis.cdk.hooks.MeshHooks;
import dev.trellis.cdk.images.ControllerImage;
import dev.trellis.cdk.images.ProxyImage;
import dev.trellis.cdk.service.MeshService;
import dev.trellis.cdk.service.MeshServiceProps;
import dev.trellis.cdk.service.Route;
import dev.trellis.cdk.testing.CfnLint;
import dev.trellis.cdk.testing.Fixtures;
import dev.trellis.spec.DefaultPolicy;
import dev.trellis.spec.MeshSpec;
import dev.trellis.spec.MeshSpecs;
import dev.trellis.spec.TlsMode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Annotations;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ecs.Cluster;

class MeshTest {

    @TempDir
    static Path temp;

    static App app;
    static Stack httpStack;
    static Stack dnsStack;
    static Template http;
    static Template dns;
    static Mesh httpMesh;

    @BeforeAll
    static void synthesizeOneAppWithTwoMeshes() {
        app = new App();
        httpStack = new Stack(app, "HttpMesh");
        Vpc vpc = Vpc.Builder.create(httpStack, "Vpc").maxAzs(2).natGateways(1).build();
        Cluster cluster = Cluster.Builder.create(httpStack, "Cluster").vpc(vpc).build();
        httpMesh = new Mesh(httpStack, "Mesh", MeshProps.builder()
                .meshName("shop")
                .tls(TlsMode.STRICT)
                .defaultPolicy(DefaultPolicy.DENY)
                .proxyImage(ProxyImage.fromRegistry("public.ecr.aws/trellis/proxy:0.1.0"))
                .hooks(LambdaHooks.fromAsset(Fixtures.hooksJar(temp).toString()))
                .controller(EcsControllerOptions.builder()
                        .cluster(cluster)
                        .image(ControllerImage.fromRegistry("public.ecr.aws/trellis/controller:0.1.0"))
                        .build())
                .build());

        MeshService orders = httpMesh.addService("Orders", MeshServiceProps.builder()
                .serviceName("orders").port(8081).versions(List.of("v1", "v2"))
                .routes(List.of(Route.http("canary").target("v1", 90).target("v2", 10).build()))
                .build());
        orders.addCanary("OrdersV2Rollout", CanaryRollout.builder()
                .route("canary").baseline("v1").canary("v2")
                .steps(10, 50, 100).interval(software.amazon.awscdk.Duration.minutes(10))
                .minSuccessRate(0.995).maxP99Latency(software.amazon.awscdk.Duration.millis(300))
                .build());

        dnsStack = new Stack(app, "DnsMesh");
        Vpc dnsVpc = Vpc.Builder.create(dnsStack, "Vpc").maxAzs(2).natGateways(0).build();
        new Mesh(dnsStack, "Mesh", MeshProps.builder()
                .meshName("payments-mesh")
                .namespace(MeshNamespace.privateDns(dnsVpc, "pay.internal"))
                .trustDomain("pay.example.com")
                .metricsNamespace("Payments/Mesh")
                .controllerUrl("http://controller.pay.internal:15010")
                .build());

        http = Template.fromStack(httpStack);
        dns = Template.fromStack(dnsStack);
    }

    @Test
    @DisplayName("GIVEN no namespace in the props WHEN synthesized THEN an HTTP Cloud Map namespace named <mesh>.local")
    void httpNamespaceByDefault() {
        http.resourceCountIs("AWS::ServiceDiscovery::HttpNamespace", 1);
        http.hasResourceProperties("AWS::ServiceDiscovery::HttpNamespace", Map.of("Name", "shop.local"));
        http.resourceCountIs("AWS::ServiceDiscovery::PrivateDnsNamespace", 0);
    }

    @Test
    @DisplayName("GIVEN MeshNamespace.privateDns(vpc, name) WHEN synthesized THEN a private DNS namespace of that name in the VPC")
    void privateDnsNamespace() {
        dns.hasResourceProperties("AWS::ServiceDiscovery::PrivateDnsNamespace", Map.of(
                "Name", "pay.internal",
                "Vpc", Map.of("Ref", Match.stringLikeRegexp("^Vpc"))));
        dns.resourceCountIs("AWS::ServiceDiscovery::HttpNamespace", 0);
    }

    @Test
    @DisplayName("GIVEN mesh settings WHEN synthesized THEN /trellis/<mesh>/mesh holds exactly the spec module's settings JSON")
    void settingsParameter() {
        String expected = dev.trellis.spec.SpecParameters.toParameters(
                new MeshSpec(null, "shop", null, TlsMode.STRICT, DefaultPolicy.DENY, List.of())).get("/trellis/shop/mesh");
        http.hasResourceProperties("AWS::SSM::Parameter", Map.of(
                "Name", "/trellis/shop/mesh",
                "Type", "String",
                "Tier", "Standard",
                "Value", expected));
        assertThat(expected).contains("\"tls\":\"STRICT\"", "\"defaultPolicy\":\"DENY\"", "\"trustDomain\":\"shop.trellis.local\"");
    }

    @Test
    @DisplayName("GIVEN no hooks WHEN synthesized THEN the mesh creates the CA secret empty, for the controller to write the CA into, and retains it")
    void caSecretWithoutHooks() {
        dns.hasResource("AWS::SecretsManager::Secret", Map.of(
                "DeletionPolicy", "Retain",
                "UpdateReplacePolicy", "Retain",
                "Properties", Map.of(
                        "Description", "CA of Trellis mesh payments-mesh (trellis-mesh-ca/v1 JSON: PEM roots and keys)",
                        "GenerateSecretString", Match.absent(),
                        "SecretString", Match.absent())));
    }

    @Test
    @DisplayName("GIVEN hooks WHEN synthesized THEN the CA custom resource makes the CA secret and the controller uses the ARN it answers")
    void caSecretFromTheCustomResource() {
        http.resourcePropertiesCountIs("AWS::SecretsManager::Secret",
                Map.of("Description", Match.stringLikeRegexp("^CA of")), 0);
        http.hasResourceProperties("AWS::ECS::TaskDefinition", Map.of("ContainerDefinitions", List.of(Match.objectLike(Map.of(
                "Name", "controller",
                "Environment", Match.arrayWith(List.of(Map.of("Name", "TRELLIS_CA_SECRET_ARN",
                        "Value", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^MeshHooksCaCertificate"), "SecretArn"))))))))));
        assertThat(httpMesh.caRootCertificatePem()).isPresent();
    }

    @Test
    @DisplayName("GIVEN controller options WHEN synthesized THEN a Fargate service runs the controller image with its mesh's command line (its own URL for the CRL), its admin token from a generated secret, and a /ready health check")
    void controllerTask() {
        http.hasResourceProperties("AWS::ECS::TaskDefinition", Map.of(
                "RequiresCompatibilities", List.of("FARGATE"),
                "ContainerDefinitions", List.of(Match.objectLike(Map.of(
                        "Name", "controller",
                        "Image", "public.ecr.aws/trellis/controller:0.1.0",
                        "Essential", true,
                        "PortMappings", List.of(Match.objectLike(Map.of("ContainerPort", 9090))),
                        "HealthCheck", Match.objectLike(Map.of("Command", List.of("CMD", "bash", "-c",
                                "exec 3<>/dev/tcp/127.0.0.1/9090 && printf 'GET /ready HTTP/1.0\\r\\n\\r\\n' >&3"
                                        + " && head -n 1 <&3 | grep -q ' 200 '"))),
                        "Command", List.of("--mesh", "shop", "--registry", "cloudmap",
                                "--namespace-id", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^MeshNamespace"), "Id")),
                                "--port", "9090",
                                "--controller-url", Map.of("Fn::Join", List.of("", List.of("http://",
                                        Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^MeshControllerLoadBalancer"), "DNSName")),
                                        ":9090"))),
                                "--ecs-cluster", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^Cluster"), "Arn"))),
                        "Secrets", List.of(Map.of("Name", "TRELLIS_ADMIN_TOKEN",
                                "ValueFrom", Map.of("Ref", Match.stringLikeRegexp("^MeshControllerAdminToken")))),
                        "Environment", Match.arrayWith(List.of(
                                Map.of("Name", "TRELLIS_MESH", "Value", "shop"),
                                Map.of("Name", "TRELLIS_SPEC_SOURCE", "Value", "ssm:/trellis/shop"),
                                Map.of("Name", "TRELLIS_TRUST_DOMAIN", "Value", "shop.trellis.local"),
                                Map.of("Name", "TRELLIS_METRICS_NAMESPACE", "Value", "Trellis"))),
                        "LogConfiguration", Match.objectLike(Map.of("LogDriver", "awslogs")))))));
        http.hasResourceProperties("AWS::ECS::Service", Map.of(
                "LaunchType", "FARGATE",
                "DesiredCount", 2,
                "DeploymentConfiguration", Match.objectLike(Map.of(
                        "DeploymentCircuitBreaker", Map.of("Enable", true, "Rollback", true)))));
    }

    @Test
    @DisplayName("GIVEN controller options WHEN synthesized THEN an internal NLB forwards the controller's port and health-checks /ready on it")
    void controllerLoadBalancer() {
        http.hasResourceProperties("AWS::ElasticLoadBalancingV2::LoadBalancer", Map.of(
                "Type", "network", "Scheme", "internal"));
        http.hasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", Map.of(
                "Port", ControllerPorts.HTTP, "Protocol", "TCP"));
        http.hasResourceProperties("AWS::ElasticLoadBalancingV2::TargetGroup", Map.of(
                "Port", ControllerPorts.HTTP,
                "Protocol", "TCP",
                "TargetType", "ip",
                "HealthCheckProtocol", "HTTP",
                "HealthCheckPort", "9090",
                "HealthCheckPath", "/ready"));
        assertThat(httpMesh.controllerUrl()).hasValueSatisfying(url -> assertThat(url).startsWith("http://").endsWith(":9090"));
    }

    @Test
    @DisplayName("GIVEN a controller WHEN synthesized THEN its task role may register in the mesh namespace, read /trellis/<mesh>/*, watch the mesh's ECS tasks and read and write the CA")
    void controllerPermissions() {
        List<Object> statements = List.of(
                Match.objectLike(Map.of(
                        "Sid", "RegisterWorkloadsInTheMeshNamespace",
                        "Action", Match.arrayWith(List.of("servicediscovery:RegisterInstance", "servicediscovery:DeregisterInstance")),
                        "Condition", Map.of("StringEquals", Map.of("servicediscovery:NamespaceArn",
                                Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^MeshNamespace"), "Arn")))))),
                Match.objectLike(Map.of(
                        "Sid", "DiscoverTheMesh",
                        "Action", Match.arrayWith(List.of("servicediscovery:DiscoverInstances")))),
                Match.objectLike(Map.of(
                        "Sid", "ReadTheMeshSpec",
                        "Action", List.of("ssm:GetParametersByPath", "ssm:GetParameters", "ssm:GetParameter"))),
                Match.objectLike(Map.of(
                        "Action", List.of("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"),
                        "Resource", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^MeshHooksCaCertificate"), "SecretArn")))),
                Match.objectLike(Map.of(
                        "Action", List.of("secretsmanager:PutSecretValue", "secretsmanager:UpdateSecret", "secretsmanager:UpdateSecretVersionStage"),
                        "Resource", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^MeshHooksCaCertificate"), "SecretArn")))),
                Match.objectLike(Map.of(
                        "Sid", "PublishMeshMetrics",
                        "Condition", Map.of("StringEquals", Map.of("cloudwatch:namespace", "Trellis")))),
                Match.objectLike(Map.of(
                        "Sid", "WatchTheTasksOfTheMeshClusters",
                        "Action", List.of("ecs:ListTasks", "ecs:DescribeTasks"),
                        "Condition", Map.of("ArnEquals", Map.of("ecs:cluster",
                                List.of(Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^Cluster"), "Arn"))))))));
        http.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "PolicyName", Match.stringLikeRegexp("^MeshControllerTaskDefinitionTaskRole"),
                "PolicyDocument", Map.of("Statement", Match.arrayWith(statements))));
        String policies = http.findResources("AWS::IAM::Policy").toString();
        assertThat(policies).contains(":parameter/trellis/shop/*");
    }

    @Test
    @DisplayName("GIVEN LambdaHooks.fromAsset WHEN synthesized THEN three Java functions with the hook handler names the lambda-hooks module implements")
    void hookFunctions() {
        for (String handler : List.of(LambdaHooks.TASK_STATE_CHANGE_HANDLER, LambdaHooks.CANARY_HANDLER, LambdaHooks.MESH_CA_HANDLER)) {
            http.hasResourceProperties("AWS::Lambda::Function", Map.of(
                    "Handler", handler,
                    "Runtime", "java21",
                    "Environment", Map.of("Variables", Match.objectLike(Map.of("TRELLIS_MESH", "shop")))));
        }
        http.hasResourceProperties("AWS::Lambda::Function", Map.of(
                "Handler", LambdaHooks.TASK_STATE_CHANGE_HANDLER,
                "Environment", Map.of("Variables", Map.of("TRELLIS_MESH", "shop", "TRELLIS_ECS_CLUSTERS",
                        Map.of("Fn::Join", List.of(",", List.of(Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^Cluster"), "Arn")))))))));
        assertThat(LambdaHooks.TASK_STATE_CHANGE_HANDLER).isEqualTo("dev.trellis.hooks.ecs.EcsTaskStateChangeHandler::handleRequest");
        assertThat(LambdaHooks.CANARY_HANDLER).isEqualTo("dev.trellis.hooks.canary.CanaryHandler::handleRequest");
        assertThat(LambdaHooks.MESH_CA_HANDLER).isEqualTo("dev.trellis.hooks.custom.MeshCaResourceHandler::handleRequest");
    }

    @Test
    @DisplayName("GIVEN hooks and an ECS cluster in the mesh WHEN synthesized THEN an EventBridge rule sends that cluster's ECS Task State Change events to the task hook")
    void taskStateChangeRule() {
        http.hasResourceProperties("AWS::Events::Rule", Map.of(
                "EventPattern", Map.of(
                        "source", List.of("aws.ecs"),
                        "detail-type", List.of("ECS Task State Change"),
                        "detail", Map.of("clusterArn", List.of(Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^Cluster"), "Arn"))))),
                "Targets", List.of(Match.objectLike(Map.of("Arn", Map.of("Fn::GetAtt",
                        List.of(Match.stringLikeRegexp("^MeshHooksTaskStateChange"), "Arn")))))));
    }

    @Test
    @DisplayName("GIVEN a canary rollout WHEN synthesized THEN a rule gives the canary hook the plan, defaults filled in, every minute, and the hook may step weights and keep state")
    void canaryRollout() {
        http.hasResourceProperties("AWS::Events::Rule", Map.of(
                "ScheduleExpression", "rate(1 minute)",
                "Targets", List.of(Match.objectLike(Map.of(
                        "Arn", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^MeshHooksCanary"), "Arn")),
                        "Input", Match.serializedJson(Map.ofEntries(
                                Map.entry("mesh", "shop"),
                                Map.entry("service", "orders"),
                                Map.entry("route", "canary"),
                                Map.entry("baseline", "v1"),
                                Map.entry("canary", "v2"),
                                Map.entry("steps", List.of(10, 50, 100)),
                                Map.entry("interval", "10m"),
                                Map.entry("minSuccessRate", 0.995),
                                Map.entry("maxP99Latency", "300ms"),
                                Map.entry("minRequests", 100),
                                Map.entry("maxFailedChecks", 1))))))));
        http.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Sid", "StepRouteWeightsAndKeepRolloutState",
                        "Action", List.of("ssm:GetParameter", "ssm:PutParameter"))))))));
        assertThat(http.findResources("AWS::IAM::Policy").toString())
                .contains(":parameter/trellis/shop/services/*", ":parameter/trellis/shop/canaries/*");
    }

    @Test
    @DisplayName("GIVEN a rollout of a route or version the service does not have WHEN validated THEN each is reported with what exists")
    void canaryOfUnknownRoute() {
        Stack stack = new Stack(new App(), "BadCanary");
        Mesh mesh = new Mesh(stack, "Mesh", MeshProps.builder().meshName("shop")
                .hooks(LambdaHooks.fromAsset(Fixtures.hooksJar(temp).toString())).build());
        MeshService orders = mesh.addService("Orders", MeshServiceProps.builder()
                .serviceName("orders").port(8081).versions(List.of("v1", "v2"))
                .routes(List.of(Route.http("canary").target("v1", 1).build())).build());
        orders.addCanary("Rollout", CanaryRollout.builder().route("checkout").baseline("v1").canary("v3")
                .steps(50, 20, 100).build());
        assertThat(orders.getNode().validate()).containsExactly(
                "canary.route: checkout (expected: one of the routes of orders: canary)",
                "canary.canary: v3 (expected: one of v1, v2, other than the baseline)",
                "canary.steps[1]: 20 (expected: an integer 51..100, above the step before)");
    }

    @Test
    @DisplayName("GIVEN a mesh without hooks WHEN a canary is added THEN it fails saying hooks are needed")
    void canaryWithoutHooks() {
        Mesh mesh = new Mesh(new Stack(new App(), "NoHooks"), "Mesh", MeshProps.builder().meshName("shop").build());
        MeshService orders = mesh.addService("Orders", MeshServiceProps.builder().serviceName("orders").port(1).build());
        assertThatThrownBy(() -> orders.addCanary("Rollout", CanaryRollout.builder().route("default").build()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("addCanary Rollout: mesh shop has no Lambda hooks (expected: MeshProps.hooks(...), which runs the canary hook)");
    }

    @Test
    @DisplayName("GIVEN hooks WHEN synthesized THEN a Custom::TrellisMeshCa resource names the mesh and trust domain, and its function may keep secrets under trellis/<mesh>/")
    void caCustomResource() {
        http.hasResourceProperties(MeshHooks.CA_RESOURCE_TYPE, Map.of(
                "ServiceToken", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^MeshHooksMeshCa"), "Arn")),
                "MeshName", "shop",
                "TrustDomain", "shop.trellis.local"));
        http.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "PolicyName", Match.stringLikeRegexp("^MeshHooksMeshCaServiceRole"),
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Sid", "KeepTheMeshCaSecret",
                        "Action", Match.arrayWith(List.of("secretsmanager:CreateSecret", "secretsmanager:TagResource")))))))));
        assertThat(http.findResources("AWS::IAM::Policy").toString()).contains(":secret:trellis/shop/*");
    }

    @Test
    @DisplayName("GIVEN no hooks WHEN synthesized THEN no functions and a warning that says what is left out")
    void noHooksWarning() {
        dns.resourceCountIs("AWS::Lambda::Function", 0);
        Annotations.fromStack(dnsStack).hasWarning("/DnsMesh/Mesh",
                Match.stringLikeRegexp(".*no Lambda hooks: no CA custom resource \\(the controller creates the CA in its empty secret.*"));
    }

    @Test
    @DisplayName("GIVEN a private DNS namespace WHEN a controller is granted THEN it may write the namespace's hosted zone")
    void dnsNamespaceGrantsHostedZone() {
        Stack stack = new Stack(new App(), "DnsController");
        Vpc vpc = Vpc.Builder.create(stack, "Vpc").maxAzs(1).natGateways(0).build();
        new Mesh(stack, "Mesh", MeshProps.builder()
                .meshName("shop")
                .namespace(MeshNamespace.privateDns(vpc))
                .controller(EcsControllerOptions.builder()
                        .cluster(Cluster.Builder.create(stack, "Cluster").vpc(vpc).build())
                        .image(ControllerImage.fromRegistry("public.ecr.aws/trellis/controller:0.1.0"))
                        .build())
                .build());
        Template.fromStack(stack).hasResourceProperties("AWS::IAM::Policy", Map.of(
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Sid", "WriteDnsRecordsOfTheMeshNamespace",
                        "Action", List.of("route53:ChangeResourceRecordSets", "route53:GetHostedZone"))))))));
    }

    @Test
    @DisplayName("GIVEN a mesh WHEN synthesized THEN a dashboard named trellis-<mesh> reads the proxies' metric namespace, the default one or the mesh's own")
    void dashboard() {
        http.hasResourceProperties("AWS::CloudWatch::Dashboard", Map.of("DashboardName", "trellis-shop"));
        dns.hasResourceProperties("AWS::CloudWatch::Dashboard", Map.of("DashboardName", "trellis-payments-mesh"));
        assertThat(dns.findResources("AWS::CloudWatch::Dashboard").toString()).contains("Payments/Mesh");
        assertThat(http.findResources("AWS::CloudWatch::Dashboard").toString()).contains("metric namespace `Trellis`");
    }

    @Test
    @DisplayName("GIVEN the mesh templates WHEN cfn-lint checks them THEN it finds no error and no warning of ours")
    void cfnLint(@TempDir Path out) {
        List<CfnLint.Finding> findings = CfnLint.lint(List.of(CfnLint.write(httpStack, out), CfnLint.write(dnsStack, out)));
        assertThat(CfnLint.problems(findings)).isEmpty();
    }

    @Test
    @DisplayName("GIVEN a mesh name with upper-case letters WHEN the mesh is created THEN it fails naming the value and the spec's rule")
    void invalidMeshName() {
        Stack stack = new Stack(new App(), "Bad");
        assertThatThrownBy(() -> new Mesh(stack, "Mesh", MeshProps.builder().meshName("Shop").build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("meshName: mesh: Shop (expected: lower-case letters, digits and '-', starting with a letter, at most 63)");
    }

    @Test
    @DisplayName("GIVEN no mesh name WHEN the mesh is created THEN it fails with the spec module's missing-value problem")
    void missingMeshName() {
        Stack stack = new Stack(new App(), "Bad");
        assertThatThrownBy(() -> new Mesh(stack, "Mesh", MeshProps.builder().build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("meshName: mesh: missing (expected: a value)");
    }

    @Test
    @DisplayName("GIVEN an invalid trust domain WHEN validated at synth THEN the mesh reports the spec module's problem with the value")
    void invalidTrustDomain() {
        Stack stack = new Stack(new App(), "Bad");
        Mesh mesh = new Mesh(stack, "Mesh", MeshProps.builder().meshName("shop").trustDomain("Not A Domain").build());
        String expected = MeshSpecs.problems(new MeshSpec(null, "shop", "Not A Domain", null, null, List.of())).get(0).toString();
        assertThat(mesh.getNode().validate()).containsExactly(expected);
        assertThat(expected).startsWith("trustDomain: Not A Domain (expected: ");
    }

    @Test
    @DisplayName("GIVEN LambdaHooks.fromAsset of a missing jar WHEN called THEN it fails naming the path and how to build it")
    void missingHooksJar() {
        assertThatThrownBy(() -> LambdaHooks.fromAsset(temp.resolve("nope.jar").toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("LambdaHooks.fromAsset: " + temp.resolve("nope.jar"))
                .hasMessageContaining("(expected: the lambda-hooks deployment jar");
    }

    @Test
    @DisplayName("GIVEN controller options without a cluster WHEN the mesh is created THEN it fails saying a cluster is expected")
    void controllerWithoutCluster() {
        Stack stack = new Stack(new App(), "Bad");
        assertThatThrownBy(() -> new Mesh(stack, "Mesh", MeshProps.builder().meshName("shop")
                .controller(EcsControllerOptions.builder()
                        .image(ControllerImage.fromRegistry("public.ecr.aws/trellis/controller:0.1.0")).build())
                .build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("controller.cluster: null (expected: the ECS cluster the controller runs in)");
    }

    @Test
    @DisplayName("GIVEN a namespace name that is not DNS-like WHEN named THEN it fails showing it")
    void invalidNamespaceName() {
        assertThatThrownBy(() -> MeshNamespace.http("Shop Local"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("MeshNamespace name: Shop Local (expected: a DNS-like name such as shop.local)");
    }

    @Test
    @DisplayName("GIVEN MeshNamespace.privateDns without a VPC WHEN called THEN it fails saying a VPC is expected")
    void privateDnsWithoutVpc() {
        assertThatThrownBy(() -> MeshNamespace.privateDns(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vpc null (expected: the VPC the namespace's DNS serves)");
    }
}
