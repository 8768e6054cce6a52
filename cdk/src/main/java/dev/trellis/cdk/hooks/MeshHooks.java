package dev.trellis.cdk.hooks;

import dev.trellis.cdk.controller.ControllerEnvironment;
import dev.trellis.cdk.controller.ControllerPermissions;
import dev.trellis.cdk.mesh.Mesh;
import dev.trellis.naming.SsmPaths;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.CustomResource;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.logs.LogGroup;
import software.constructs.Construct;

/**
 * The mesh's Lambda hooks. Construct ids are a public contract: {@code TaskStateChange},
 * {@code Canary}, {@code CanarySchedule}, {@code MeshCa}, {@code CaCertificate}, and
 * {@code TaskStateChangeRule} once the mesh has an ECS cluster.
 */
public final class MeshHooks extends Construct {

    /** The CloudFormation type of the mesh CA custom resource. */
    public static final String CA_RESOURCE_TYPE = "Custom::TrellisMeshCa";

    private final Mesh mesh;
    private final Function taskStateChange;
    private final Function canary;
    private final Function meshCa;
    private Rule taskStateChangeRule;

    public MeshHooks(Construct scope, String id, MeshHooksProps props) {
        super(scope, id);
        this.mesh = props.mesh();
        LambdaHooks code = props.code();
        Duration canaryInterval = props.canaryInterval();
        Map<String, String> env = new LinkedHashMap<>();
        env.put(ControllerEnvironment.MESH, mesh.meshName());
        env.put(ControllerEnvironment.SPEC_SOURCE, "ssm:" + SsmPaths.meshRoot(mesh.meshName()));
        env.put(ControllerEnvironment.NAMESPACE_ID, mesh.namespace().getNamespaceId());
        env.put(ControllerEnvironment.METRICS_NAMESPACE, mesh.metricsNamespace());

        taskStateChange = function("TaskStateChange", code, LambdaHooks.TASK_STATE_CHANGE_HANDLER, env,
                "Registers and deregisters ECS tasks of mesh " + mesh.meshName() + " in Cloud Map");
        ControllerPermissions.grantMesh(taskStateChange, mesh);

        canary = function("Canary", code, LambdaHooks.CANARY_HANDLER, env,
                "Steps canary weights of mesh " + mesh.meshName() + " on CloudWatch metrics");
        String services = SsmPaths.servicesRoot(mesh.meshName()).substring(1) + "/*";
        canary.addToRolePolicy(PolicyStatement.Builder.create()
                .sid("StepRouteWeights")
                .actions(List.of("ssm:GetParameter", "ssm:GetParametersByPath", "ssm:PutParameter"))
                .resources(List.of(parameterArn(SsmPaths.servicesRoot(mesh.meshName()).substring(1)),
                        parameterArn(services)))
                .build());
        canary.addToRolePolicy(PolicyStatement.Builder.create()
                .sid("ReadMeshMetrics")
                // GetMetricData has no resource-level permissions.
                .actions(List.of("cloudwatch:GetMetricData"))
                .resources(List.of("*"))
                .build());
        Rule.Builder.create(this, "CanarySchedule")
                .description("Steps the canaries of mesh " + mesh.meshName())
                .schedule(Schedule.rate(canaryInterval))
                .targets(List.of(new LambdaFunction(canary)))
                .build();

        meshCa = function("MeshCa", code, LambdaHooks.MESH_CA_HANDLER, Map.of(ControllerEnvironment.MESH, mesh.meshName()),
                "Creates the CA of mesh " + mesh.meshName());
        mesh.caSecret().grantWrite(meshCa);
        mesh.caSecret().grantRead(meshCa);
        CustomResource ca = CustomResource.Builder.create(this, "CaCertificate")
                .serviceToken(meshCa.getFunctionArn())
                .resourceType(CA_RESOURCE_TYPE)
                .properties(Map.of(
                        "SecretArn", mesh.caSecret().getSecretArn(),
                        "Mesh", mesh.meshName(),
                        "TrustDomain", mesh.trustDomain()))
                .build();
        ca.getNode().addDependency(meshCa);
    }

    /**
     * Routes the cluster's task state changes to the hook. One rule serves every cluster of the
     * mesh; it is created with the first cluster, since a rule matching no cluster is invalid.
     */
    public void watchEcsClusters() {
        if (taskStateChangeRule != null) {
            return;
        }
        taskStateChangeRule = Rule.Builder.create(this, "TaskStateChangeRule")
                .description("ECS task state changes of the clusters of mesh " + mesh.meshName())
                .eventPattern(EventPattern.builder()
                        .source(List.of("aws.ecs"))
                        .detailType(List.of("ECS Task State Change"))
                        .detail(Map.of("clusterArn", mesh.ecsClusterArns()))
                        .build())
                .targets(List.of(new LambdaFunction(taskStateChange)))
                .build();
        ControllerPermissions.grantEcsTasks(taskStateChange, mesh);
    }

    public Function taskStateChangeFunction() {
        return taskStateChange;
    }

    public Function canaryFunction() {
        return canary;
    }

    public Function meshCaFunction() {
        return meshCa;
    }

    private Function function(String id, LambdaHooks code, String handler, Map<String, String> env, String description) {
        LogGroup logs = LogGroup.Builder.create(this, id + "Logs").retention(mesh.logRetention()).build();
        return Function.Builder.create(this, id)
                .description(description)
                .runtime(Runtime.JAVA_21)
                .architecture(Architecture.ARM_64)
                .handler(handler)
                .code(code.code())
                .memorySize(512)
                .timeout(Duration.seconds(60))
                .environment(env)
                .logGroup(logs)
                .build();
    }

    private String parameterArn(String nameWithoutLeadingSlash) {
        return Stack.of(this).formatArn(ArnComponents.builder().service("ssm").resource("parameter")
                .resourceName(nameWithoutLeadingSlash).arnFormat(ArnFormat.SLASH_RESOURCE_NAME).build());
    }
}
