package dev.trellis.cdk.example;

import dev.trellis.cdk.controller.EcsControllerOptions;
import dev.trellis.cdk.ecs.EcsSidecar;
import dev.trellis.cdk.ecs.EcsSidecarProps;
import dev.trellis.cdk.hooks.CanaryRollout;
import dev.trellis.cdk.hooks.LambdaHooks;
import dev.trellis.cdk.images.ControllerImage;
import dev.trellis.cdk.images.ProxyImage;
import dev.trellis.cdk.mesh.Mesh;
import dev.trellis.cdk.mesh.MeshNamespace;
import dev.trellis.cdk.mesh.MeshProps;
import dev.trellis.cdk.service.AllowedCaller;
import dev.trellis.cdk.service.MeshService;
import dev.trellis.cdk.service.MeshServiceProps;
import dev.trellis.cdk.service.OutlierDetection;
import dev.trellis.cdk.service.RetryPolicy;
import dev.trellis.cdk.service.Route;
import dev.trellis.cdk.service.Timeouts;
import dev.trellis.spec.DefaultPolicy;
import dev.trellis.spec.HeaderMatch;
import dev.trellis.spec.Protocol;
import dev.trellis.spec.RetryEvent;
import dev.trellis.spec.TlsMode;
import java.util.List;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.ec2.Vpc;
import software.amazon.awscdk.services.ecs.AwsLogDriverProps;
import software.amazon.awscdk.services.ecs.Cluster;
import software.amazon.awscdk.services.ecs.ContainerDefinitionOptions;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.amazon.awscdk.services.ecs.DeploymentCircuitBreaker;
import software.amazon.awscdk.services.ecs.FargateService;
import software.amazon.awscdk.services.ecs.FargateTaskDefinition;
import software.amazon.awscdk.services.ecs.LogDriver;
import software.amazon.awscdk.services.ecs.PortMapping;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.constructs.Construct;

/**
 * The shop mesh of {@code examples/shop/mesh.yaml}, declared with the typed constructs: a
 * frontend, orders v1 and v2 behind a beta route and a 90/10 canary, and payments, each version
 * an ECS Fargate service with the Trellis sidecar, and the controller beside them.
 */
public class ShopStack extends Stack {

    private final Mesh mesh;

    public ShopStack(Construct scope, String id, ShopStackProps props) {
        super(scope, id, props.stackProps());
        Vpc vpc = Vpc.Builder.create(this, "Vpc").maxAzs(2).natGateways(1).build();
        Cluster cluster = Cluster.Builder.create(this, "Cluster").vpc(vpc).build();

        MeshProps.Builder meshProps = MeshProps.builder()
                .meshName("shop")
                .trustDomain("shop.trellis.local")
                .tls(TlsMode.PERMISSIVE)
                .defaultPolicy(DefaultPolicy.ALLOW)
                .namespace(MeshNamespace.privateDns(vpc))
                .proxyImage(ProxyImage.fromRegistry(props.imageRegistry() + "/proxy:" + props.imageTag()))
                .controller(EcsControllerOptions.builder()
                        .cluster(cluster)
                        .image(ControllerImage.fromRegistry(props.imageRegistry() + "/controller:" + props.imageTag()))
                        .build());
        if (props.hooksJar() != null) {
            meshProps.hooks(LambdaHooks.fromAsset(props.hooksJar()));
        }
        mesh = new Mesh(this, "Mesh", meshProps.build());

        MeshService frontend = mesh.addService("Frontend", MeshServiceProps.builder()
                .serviceName("frontend")
                .protocol(Protocol.HTTP)
                .port(8080)
                .build());

        MeshService orders = mesh.addService("Orders", MeshServiceProps.builder()
                .serviceName("orders")
                .protocol(Protocol.HTTP)
                .port(8081)
                .versions(List.of("v1", "v2"))
                .routes(List.of(
                        // Beta testers always get v2.
                        Route.http("beta").priority(10)
                                .pathPrefix("/orders").header(HeaderMatch.exact("x-beta", "true"))
                                .target("v2", 100)
                                .build(),
                        // Everyone else: a 90/10 canary split.
                        Route.http("canary").priority(100)
                                .pathPrefix("/")
                                .target("v1", 90).target("v2", 10)
                                .build()))
                .timeouts(Timeouts.request(Duration.seconds(2)))
                .retryPolicy(RetryPolicy.builder()
                        .attempts(2)
                        .on(RetryEvent.CONNECT_FAILURE, RetryEvent.RESET, RetryEvent.GATEWAY_ERROR)
                        .perTryTimeout(Duration.millis(500))
                        .build())
                .outlierDetection(OutlierDetection.builder()
                        .consecutiveFailures(5)
                        .interval(Duration.seconds(5))
                        .baseEjectionTime(Duration.seconds(10))
                        .maxEjectionPercent(50)
                        .build())
                .allowedCallers(List.of(AllowedCaller.service("frontend")))
                .build());

        if (mesh.hooks().isPresent()) {
            // The canary hook takes the 90/10 split the rest of the way: 25, 50, then all of it.
            orders.addCanary("OrdersV2Rollout", CanaryRollout.builder()
                    .route("canary").baseline("v1").canary("v2")
                    .steps(25, 50, 100)
                    .interval(Duration.minutes(10))
                    .build());
        }

        MeshService payments = mesh.addService("Payments", MeshServiceProps.builder()
                .serviceName("payments")
                .protocol(Protocol.HTTP)
                .port(8082)
                .timeouts(Timeouts.request(Duration.seconds(1)))
                .retryPolicy(RetryPolicy.builder()
                        .attempts(3)
                        .on(RetryEvent.SERVER_ERROR, RetryEvent.CONNECT_FAILURE, RetryEvent.RESET)
                        .perTryTimeout(Duration.millis(300))
                        .backoff(Duration.millis(10), Duration.millis(100))
                        .build())
                .outlierDetection(OutlierDetection.builder()
                        .consecutiveFailures(3)
                        .interval(Duration.seconds(2))
                        .baseEjectionTime(Duration.seconds(5))
                        .maxEjectionPercent(50)
                        .build())
                .allowedCallers(List.of(AllowedCaller.service("orders").paths("/payments").methods("POST", "GET")))
                .build());

        LogGroup appLogs = LogGroup.Builder.create(this, "AppLogs").retention(RetentionDays.ONE_MONTH).build();
        String shopImages = props.imageRegistry() + "/shop-";
        workload(cluster, appLogs, frontend, "v1", shopImages + "frontend:" + props.imageTag(), 2);
        workload(cluster, appLogs, orders, "v1", shopImages + "orders:" + props.imageTag(), 2);
        workload(cluster, appLogs, orders, "v2", shopImages + "orders:" + props.imageTag(), 1);
        workload(cluster, appLogs, payments, "v1", shopImages + "payments:" + props.imageTag(), 2);
    }

    public Mesh mesh() {
        return mesh;
    }

    /** One version of one service: a Fargate service whose tasks run the application and its proxy. */
    private void workload(Cluster cluster, LogGroup logs, MeshService service, String version, String image, int count) {
        String id = capitalized(service.serviceName()) + capitalized(version);
        FargateTaskDefinition task = FargateTaskDefinition.Builder.create(this, id + "Task")
                .cpu(512).memoryLimitMiB(1024).build();
        task.addContainer("app", ContainerDefinitionOptions.builder()
                .image(ContainerImage.fromRegistry(image))
                .essential(true)
                .portMappings(List.of(PortMapping.builder().containerPort(service.port()).build()))
                .logging(LogDriver.awsLogs(AwsLogDriverProps.builder()
                        .logGroup(logs).streamPrefix(service.serviceName() + "-" + version).build()))
                .build());
        EcsSidecar sidecar = new EcsSidecar(this, id + "Mesh", EcsSidecarProps.builder()
                .meshService(service).version(version).taskDefinition(task).build());
        FargateService fargate = FargateService.Builder.create(this, id + "Service")
                .cluster(cluster).taskDefinition(task).desiredCount(count).minHealthyPercent(100)
                .circuitBreaker(DeploymentCircuitBreaker.builder().rollback(true).build())
                .build();
        sidecar.registerService(fargate);
    }

    private static String capitalized(String name) {
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }
}
