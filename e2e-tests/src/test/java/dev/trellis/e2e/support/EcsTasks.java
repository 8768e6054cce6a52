package dev.trellis.e2e.support;

import dev.trellis.naming.WorkloadLabels;
import dev.trellis.testing.aws.AwsEmulator;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.LaunchType;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.Task;

/**
 * One ECS cluster in moto with what awsvpc tasks need (a VPC with DNS host names, a subnet, a
 * security group) and one task definition per mesh service, whose tasks are tagged with the
 * mesh, service and version as the CDK constructs tag them.
 */
public final class EcsTasks implements AutoCloseable {

    private final EcsClient ecs;
    private final Ec2Client ec2;
    private final String cluster;
    private final String mesh;
    private final String subnetId;
    private final String securityGroupId;

    public EcsTasks(AwsEmulator aws, String cluster, String mesh) {
        this.ecs = aws.clients().ecs();
        this.cluster = cluster;
        this.mesh = mesh;
        this.ec2 = Ec2Client.builder()
                .region(Region.of(aws.region()))
                .credentialsProvider(aws.credentialsProvider())
                .endpointOverride(aws.endpoint())
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
        // moto accepts a loopback CIDR but draws task ENI addresses from 10/8 anyway: see OneHostNetwork.
        String vpcId = ec2.createVpc(r -> r.cidrBlock("10.20.0.0/16")).vpc().vpcId();
        ec2.modifyVpcAttribute(r -> r.vpcId(vpcId).enableDnsHostnames(v -> v.value(true)));
        this.subnetId = ec2.createSubnet(r -> r.vpcId(vpcId).cidrBlock("10.20.1.0/24").availabilityZone("us-east-1a"))
                .subnet().subnetId();
        this.securityGroupId = ec2.createSecurityGroup(r -> r.vpcId(vpcId).groupName("mesh-tasks")
                .description("mesh tasks")).groupId();
        ecs.createCluster(r -> r.clusterName(cluster));
    }

    public String cluster() {
        return cluster;
    }

    /** Registers the awsvpc task definition of a service (family = service name). */
    public void registerService(String service) {
        ecs.registerTaskDefinition(r -> r.family(service).networkMode(NetworkMode.AWSVPC)
                .containerDefinitions(ContainerDefinition.builder().name("trellis-proxy").image("trellis/proxy")
                        .memory(128).build()));
    }

    /** RunTask of one Fargate task of the service, tagged {@code trellis.dev/mesh|service|version}. */
    public Task run(String service, String version) {
        return ecs.runTask(r -> r.cluster(cluster).taskDefinition(service).launchType(LaunchType.FARGATE)
                .networkConfiguration(n -> n.awsvpcConfiguration(a -> a.subnets(subnetId).securityGroups(securityGroupId)))
                .tags(Tag.builder().key(WorkloadLabels.MESH).value(mesh).build(),
                        Tag.builder().key(WorkloadLabels.SERVICE).value(service).build(),
                        Tag.builder().key(WorkloadLabels.VERSION).value(version).build()))
                .tasks().get(0);
    }

    /** StopTask. */
    public void stop(String taskArn) {
        ecs.stopTask(r -> r.cluster(cluster).task(taskArn).reason("scale in"));
    }

    /** The ENI private IPv4 address RunTask reported. */
    public static String privateIpv4(Task task) {
        return task.attachments().stream().flatMap(a -> a.details().stream())
                .filter(d -> "privateIPv4Address".equals(d.name())).findFirst()
                .orElseThrow(() -> new IllegalStateException("task: " + task.taskArn()
                        + " has no privateIPv4Address (expected: an awsvpc ENI)")).value();
    }

    @Override
    public void close() {
        ec2.close();
    }
}
