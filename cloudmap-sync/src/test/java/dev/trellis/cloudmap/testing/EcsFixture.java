package dev.trellis.cloudmap.testing;

import dev.trellis.naming.WorkloadLabels;
import dev.trellis.testing.aws.AwsEmulator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.LaunchType;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * Real ECS tasks in the emulator, made through the SDK: a VPC with DNS host names (moto's awsvpc
 * RunTask needs them), a subnet, a security group, clusters, task definitions and tasks.
 */
public final class EcsFixture implements AutoCloseable {

    private final EcsClient ecs;
    private final Ec2Client ec2;
    private final String subnetId;
    private final String securityGroupId;

    public EcsFixture(AwsEmulator aws) {
        this.ecs = aws.clients().ecs();
        this.ec2 = Ec2Client.builder()
                .region(Region.of(aws.region()))
                .credentialsProvider(aws.credentialsProvider())
                .endpointOverride(aws.endpoint())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
        String vpcId = ec2.createVpc(r -> r.cidrBlock("10.20.0.0/16")).vpc().vpcId();
        ec2.modifyVpcAttribute(r -> r.vpcId(vpcId).enableDnsHostnames(v -> v.value(true)));
        this.subnetId = ec2.createSubnet(r -> r.vpcId(vpcId).cidrBlock("10.20.1.0/24").availabilityZone("us-east-1a"))
                .subnet().subnetId();
        this.securityGroupId = ec2.createSecurityGroup(r -> r.vpcId(vpcId).groupName("mesh-" + System.nanoTime())
                .description("mesh tasks")).groupId();
    }

    public String createCluster(String name) {
        return ecs.createCluster(r -> r.clusterName(name)).cluster().clusterArn();
    }

    /** An awsvpc task definition whose first container is the proxy, with this environment. */
    public String registerTaskDefinition(String family, Map<String, String> proxyEnvironment) {
        List<KeyValuePair> environment = new ArrayList<>();
        proxyEnvironment.forEach((k, v) -> environment.add(KeyValuePair.builder().name(k).value(v).build()));
        return ecs.registerTaskDefinition(r -> r.family(family).networkMode(NetworkMode.AWSVPC)
                .containerDefinitions(ContainerDefinition.builder().name("trellis-proxy").image("trellis/proxy")
                        .memory(128).environment(environment).build()))
                .taskDefinition().taskDefinitionArn();
    }

    /** A task definition with no Trellis environment. */
    public String registerPlainTaskDefinition(String family) {
        return registerTaskDefinition(family, Map.of());
    }

    /** Runs one Fargate task with these tags; returns it as RunTask answered. */
    public Task runTask(String cluster, String taskDefinitionArn, Map<String, String> tags) {
        List<Tag> ecsTags = new ArrayList<>();
        tags.forEach((k, v) -> ecsTags.add(Tag.builder().key(k).value(v).build()));
        return ecs.runTask(r -> r.cluster(cluster).taskDefinition(taskDefinitionArn).launchType(LaunchType.FARGATE)
                .networkConfiguration(n -> n.awsvpcConfiguration(a -> a.subnets(subnetId).securityGroups(securityGroupId)))
                .tags(ecsTags)).tasks().get(0);
    }

    /** Runs a task tagged as a member of the mesh service. */
    public Task runMeshTask(String cluster, String taskDefinitionArn, String mesh, String service, String version) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(WorkloadLabels.MESH, mesh);
        tags.put(WorkloadLabels.SERVICE, service);
        if (version != null) {
            tags.put(WorkloadLabels.VERSION, version);
        }
        return runTask(cluster, taskDefinitionArn, tags);
    }

    public void stopTask(String cluster, String taskArn) {
        ecs.stopTask(r -> r.cluster(cluster).task(taskArn).reason("test"));
    }

    /** The ENI private IPv4 address RunTask reported. */
    public static String privateIpv4(Task task) {
        return task.attachments().stream().flatMap(a -> a.details().stream())
                .filter(d -> "privateIPv4Address".equals(d.name())).findFirst().orElseThrow().value();
    }

    @Override
    public void close() {
        ec2.close();
    }
}
