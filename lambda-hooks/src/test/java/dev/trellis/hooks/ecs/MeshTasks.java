package dev.trellis.hooks.ecs;

import dev.trellis.naming.CloudMapNames;
import dev.trellis.naming.WorkloadLabels;
import dev.trellis.testing.aws.AwsEmulator;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.LaunchType;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;
import software.amazon.awssdk.services.servicediscovery.model.InstanceSummary;

/**
 * Real ECS tasks and a Cloud Map namespace in the emulator: a VPC and subnet (moto's awsvpc
 * RunTask needs them), a cluster, a task definition whose first container is the proxy, and
 * Fargate tasks tagged as members of a mesh service.
 */
final class MeshTasks implements AutoCloseable {

    private final EcsClient ecs;
    private final ServiceDiscoveryClient cloudMap;
    private final Ec2Client ec2;
    private final String subnetId;
    private final String securityGroupId;

    MeshTasks(AwsEmulator aws) {
        this.ecs = aws.clients().ecs();
        this.cloudMap = aws.clients().serviceDiscovery();
        this.ec2 = Ec2Client.builder()
                .region(Region.of(aws.region()))
                .credentialsProvider(aws.credentialsProvider())
                .endpointOverride(aws.endpoint())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
        String vpcId = ec2.createVpc(r -> r.cidrBlock("10.30.0.0/16")).vpc().vpcId();
        ec2.modifyVpcAttribute(r -> r.vpcId(vpcId).enableDnsHostnames(v -> v.value(true)));
        this.subnetId = ec2.createSubnet(r -> r.vpcId(vpcId).cidrBlock("10.30.1.0/24").availabilityZone("us-east-1a"))
                .subnet().subnetId();
        this.securityGroupId = ec2.createSecurityGroup(r -> r.vpcId(vpcId).groupName("mesh-tasks")
                .description("mesh tasks")).groupId();
    }

    void createMesh(String mesh, String cluster) {
        cloudMap.createHttpNamespace(r -> r.name(CloudMapNames.namespace(mesh)));
        ecs.createCluster(r -> r.clusterName(cluster));
        ecs.registerTaskDefinition(r -> r.family("orders").networkMode(NetworkMode.AWSVPC)
                .containerDefinitions(ContainerDefinition.builder().name("trellis-proxy").image("trellis/proxy")
                        .memory(128).build()));
    }

    /** Runs one Fargate task of {@code service} tagged into {@code mesh}. */
    Task run(String cluster, String mesh, String service, String version) {
        return ecs.runTask(r -> r.cluster(cluster).taskDefinition("orders").launchType(LaunchType.FARGATE)
                .networkConfiguration(n -> n.awsvpcConfiguration(a -> a.subnets(subnetId).securityGroups(securityGroupId)))
                .tags(Tag.builder().key(WorkloadLabels.MESH).value(mesh).build(),
                        Tag.builder().key(WorkloadLabels.SERVICE).value(service).build(),
                        Tag.builder().key(WorkloadLabels.VERSION).value(version).build()))
                .tasks().get(0);
    }

    void stop(String cluster, String taskArn) {
        ecs.stopTask(r -> r.cluster(cluster).task(taskArn).reason("scaled in"));
    }

    /** The instances Cloud Map holds for {@code service} of {@code mesh}; none when the service does not exist. */
    List<InstanceSummary> instances(String mesh, String service) {
        String namespaceId = cloudMap.listNamespaces(r -> { }).namespaces().stream()
                .filter(n -> n.name().equals(CloudMapNames.namespace(mesh))).findFirst().orElseThrow().id();
        Optional<String> serviceId = cloudMap.listServices(r -> { }).services().stream()
                .filter(s -> s.name().equals(service))
                .filter(s -> cloudMap.getService(r -> r.id(s.id())).service().namespaceId().equals(namespaceId))
                .map(s -> s.id()).findFirst();
        return serviceId.map(id -> cloudMap.listInstances(r -> r.serviceId(id)).instances()).orElse(List.of());
    }

    static String privateIpv4(Task task) {
        return task.attachments().stream().flatMap(a -> a.details().stream())
                .filter(d -> "privateIPv4Address".equals(d.name())).findFirst().orElseThrow().value();
    }

    @Override
    public void close() {
        ec2.close();
    }
}
