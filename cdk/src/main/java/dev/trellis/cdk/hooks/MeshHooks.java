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
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.Lazy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.events.RuleTargetInput;
import software.amazon.awscdk.services.events.Schedule;
import software.amazon.awscdk.services.events.targets.LambdaFunction;
import software.amazon.awscdk.services.events.targets.LambdaFunctionProps;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.lambda.Architecture;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.logs.LogGroup;
import software.constructs.Construct;

/**
 * The mesh's Lambda hooks, with the handler names and inputs the lambda-hooks module implements:
 * the ECS task state change handler behind an EventBridge rule on the mesh's clusters, the canary
 * driver run every minute per rollout ({@link #addCanary}), and the {@value #CA_RESOURCE_TYPE}
 * custom resource, which creates the mesh CA in a Secrets Manager secret of its own under
 * {@code trellis/<mesh>/} and answers its ARN.
 *
 * <p>Construct ids are a public contract: {@code TaskStateChange}, {@code Canary}, {@code MeshCa},
 * {@code CaCertificate}, {@code TaskStateChangeRule} (once the mesh has an ECS cluster), and one
 * rule per rollout under the id given to {@link #addCanary}.
 */
public final class MeshHooks extends Construct {

    /** The CloudFormation type of the mesh CA custom resource. */
    public static final String CA_RESOURCE_TYPE = "Custom::TrellisMeshCa";
    /** How often the canary hook is asked for a decision; it judges a step only when the step is due. */
    public static final Duration CANARY_TICK = Duration.minutes(1);

    private final Mesh mesh;
    private final Function taskStateChange;
    private final Function canary;
    private final Function meshCa;
    private final CustomResource ca;
    private Rule taskStateChangeRule;

    public MeshHooks(Construct scope, String id, MeshHooksProps props) {
        super(scope, id);
        this.mesh = props.mesh();
        LambdaHooks code = props.code();

        Map<String, String> taskEnv = new LinkedHashMap<>();
        taskEnv.put(ControllerEnvironment.MESH, mesh.meshName());
        taskEnv.put(ControllerEnvironment.ECS_CLUSTERS, Fn.join(",", mesh.ecsClusterArns()));
        taskStateChange = function("TaskStateChange", code, LambdaHooks.TASK_STATE_CHANGE_HANDLER, taskEnv,
                "Registers and deregisters ECS tasks of mesh " + mesh.meshName() + " in Cloud Map");
        ControllerPermissions.grantCloudMap(taskStateChange, mesh);
        ControllerPermissions.grantSpecRead(taskStateChange, mesh);

        canary = function("Canary", code, LambdaHooks.CANARY_HANDLER, Map.of(ControllerEnvironment.MESH, mesh.meshName()),
                "Steps canary weights of mesh " + mesh.meshName() + " on CloudWatch metrics");
        String root = SsmPaths.meshRoot(mesh.meshName()).substring(1);
        canary.addToRolePolicy(PolicyStatement.Builder.create()
                .sid("StepRouteWeightsAndKeepRolloutState")
                .actions(List.of("ssm:GetParameter", "ssm:PutParameter"))
                .resources(List.of(parameterArn(root + "/services/*"), parameterArn(root + "/canaries/*")))
                .build());
        canary.addToRolePolicy(PolicyStatement.Builder.create()
                .sid("ReadMeshMetrics")
                // GetMetricData has no resource-level permissions.
                .actions(List.of("cloudwatch:GetMetricData"))
                .resources(List.of("*"))
                .build());

        meshCa = function("MeshCa", code, LambdaHooks.MESH_CA_HANDLER, Map.of(ControllerEnvironment.MESH, mesh.meshName()),
                "Creates the CA of mesh " + mesh.meshName());
        meshCa.addToRolePolicy(PolicyStatement.Builder.create()
                .sid("KeepTheMeshCaSecret")
                .actions(List.of("secretsmanager:CreateSecret", "secretsmanager:TagResource", "secretsmanager:DescribeSecret",
                        "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:DeleteSecret"))
                .resources(List.of(Stack.of(this).formatArn(ArnComponents.builder().service("secretsmanager")
                        .resource("secret").resourceName("trellis/" + mesh.meshName() + "/*")
                        .arnFormat(ArnFormat.COLON_RESOURCE_NAME).build())))
                .build());
        ca = CustomResource.Builder.create(this, "CaCertificate")
                .serviceToken(meshCa.getFunctionArn())
                .resourceType(CA_RESOURCE_TYPE)
                .properties(Map.of("MeshName", mesh.meshName(), "TrustDomain", mesh.trustDomain()))
                .build();
    }

    /**
     * Routes the task state changes of the mesh's ECS clusters to the task hook. One rule serves
     * every cluster; it is created with the first, since a rule that matches no cluster is invalid.
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

    /**
     * Drives one rollout: every minute, the canary hook gets the plan and takes one decision. The
     * plan is produced at synth, after validation has reported every problem of the rollout.
     */
    public Rule addCanary(Construct scope, String id, String service, CanaryRollout rollout) {
        return Rule.Builder.create(scope, id)
                .description("Canary " + rollout.canary() + " of " + service + " (route " + rollout.route() + ") in mesh "
                        + mesh.meshName())
                .schedule(Schedule.rate(CANARY_TICK))
                .targets(List.of(new LambdaFunction(canary, LambdaFunctionProps.builder()
                        .event(RuleTargetInput.fromObject(Lazy.any(() -> rollout.plan(mesh.meshName(), service))))
                        .build())))
                .build();
    }

    /** The ARN of the secret the CA resource created. */
    public String caSecretArn() {
        return ca.getAttString("SecretArn");
    }

    /** The active root certificate, PEM, for callers outside the mesh that must trust it. */
    public String caRootCertificatePem() {
        return ca.getAttString("RootCertificatePem");
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
