package dev.trellis.cdk.controller;

import dev.trellis.cdk.mesh.Mesh;
import dev.trellis.naming.SsmPaths;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.IGrantable;
import software.amazon.awscdk.services.iam.PolicyStatement;

/**
 * What the controller may do, the same wherever it runs: register workloads in its mesh's Cloud
 * Map namespace, read its mesh's spec, read the mesh CA, publish metrics; on ECS also list and
 * describe the tasks of the mesh's clusters.
 */
public final class ControllerPermissions {

    private ControllerPermissions() {
    }

    public static void grantMesh(IGrantable grantee, Mesh mesh) {
        grantCloudMap(grantee, mesh);
        grantSpecRead(grantee, mesh);
        // Read to sign; write because, without the CA custom resource, the controller creates the CA.
        mesh.caSecret().grantRead(grantee);
        mesh.caSecret().grantWrite(grantee);
        add(grantee, metricsStatement(mesh));
    }

    /** Registering and discovering workloads in the mesh's namespace. */
    public static void grantCloudMap(IGrantable grantee, Mesh mesh) {
        Stack stack = Stack.of(mesh);
        String namespaceArn = mesh.namespace().getNamespaceArn();
        add(grantee, PolicyStatement.Builder.create()
                .sid("RegisterWorkloadsInTheMeshNamespace")
                .actions(List.of("servicediscovery:RegisterInstance", "servicediscovery:DeregisterInstance",
                        "servicediscovery:UpdateInstanceCustomHealthStatus", "servicediscovery:GetInstance",
                        "servicediscovery:ListInstances", "servicediscovery:GetService"))
                .resources(List.of(stack.formatArn(ArnComponents.builder().service("servicediscovery")
                        .resource("service").resourceName("*").arnFormat(ArnFormat.SLASH_RESOURCE_NAME).build())))
                .conditions(Map.of("StringEquals", Map.of("servicediscovery:NamespaceArn", namespaceArn)))
                .build());
        add(grantee, PolicyStatement.Builder.create()
                .sid("DiscoverTheMesh")
                // These actions have no resource-level permissions.
                .actions(List.of("servicediscovery:DiscoverInstances", "servicediscovery:DiscoverInstancesRevision",
                        "servicediscovery:ListServices", "servicediscovery:ListNamespaces",
                        "servicediscovery:GetNamespace", "servicediscovery:GetOperation"))
                .resources(List.of("*"))
                .build());
        mesh.hostedZoneId().ifPresent(zone -> add(grantee, PolicyStatement.Builder.create()
                .sid("WriteDnsRecordsOfTheMeshNamespace")
                .actions(List.of("route53:ChangeResourceRecordSets", "route53:GetHostedZone"))
                .resources(List.of(stack.formatArn(ArnComponents.builder().service("route53").region("").account("")
                        .resource("hostedzone").resourceName(zone).arnFormat(ArnFormat.SLASH_RESOURCE_NAME).build())))
                .build()));
    }

    /** Reading the mesh's spec parameters. */
    public static void grantSpecRead(IGrantable grantee, Mesh mesh) {
        Stack stack = Stack.of(mesh);
        String specRoot = SsmPaths.meshRoot(mesh.meshName()).substring(1);
        add(grantee, PolicyStatement.Builder.create()
                .sid("ReadTheMeshSpec")
                .actions(List.of("ssm:GetParametersByPath", "ssm:GetParameters", "ssm:GetParameter"))
                .resources(List.of(parameterArn(stack, specRoot), parameterArn(stack, specRoot + "/*")))
                .build());
    }

    /** ECS task discovery, limited to the mesh's clusters. */
    public static void grantEcsTasks(IGrantable grantee, Mesh mesh) {
        add(grantee, PolicyStatement.Builder.create()
                .sid("WatchTheTasksOfTheMeshClusters")
                .actions(List.of("ecs:ListTasks", "ecs:DescribeTasks"))
                .resources(List.of("*"))
                .conditions(Map.of("ArnEquals", Map.of("ecs:cluster", mesh.ecsClusterArns())))
                .build());
    }

    /** Publishing to the mesh's metric namespace only. */
    public static PolicyStatement metricsStatement(Mesh mesh) {
        return PolicyStatement.Builder.create()
                .sid("PublishMeshMetrics")
                .actions(List.of("cloudwatch:PutMetricData"))
                .resources(List.of("*"))
                .conditions(Map.of("StringEquals", Map.of("cloudwatch:namespace", mesh.metricsNamespace())))
                .build();
    }

    static String parameterArn(Stack stack, String nameWithoutLeadingSlash) {
        return stack.formatArn(ArnComponents.builder().service("ssm").resource("parameter")
                .resourceName(nameWithoutLeadingSlash).arnFormat(ArnFormat.SLASH_RESOURCE_NAME).build());
    }

    private static void add(IGrantable grantee, PolicyStatement statement) {
        grantee.getGrantPrincipal().addToPrincipalPolicy(statement);
    }
}
