package dev.trellis.cdk.hooks;

import java.nio.file.Files;
import java.nio.file.Path;
import software.amazon.awscdk.services.lambda.Code;

/**
 * Where the Lambda hooks' code comes from: the {@code lambda-hooks} module's deployment jar
 * (one jar, three handlers), or any {@link Code}.
 *
 * <pre>{@code
 * LambdaHooks.fromAsset("lambda-hooks/target/lambda-hooks.jar");
 * }</pre>
 */
public final class LambdaHooks {

    /** Handles "ECS Task State Change" events: registers and deregisters tasks in Cloud Map. */
    public static final String TASK_STATE_CHANGE_HANDLER =
            "dev.trellis.hooks.ecs.EcsTaskStateChangeHandler::handleRequest";
    /** Steps canary route weights on a schedule, promoting or rolling back on CloudWatch metrics. */
    public static final String CANARY_HANDLER = "dev.trellis.hooks.canary.CanaryHandler::handleRequest";
    /** The CloudFormation custom resource that creates the mesh CA in its secret. */
    public static final String MESH_CA_HANDLER = "dev.trellis.hooks.custom.MeshCaResourceHandler::handleRequest";

    private final Code code;
    private final String description;

    private LambdaHooks(Code code, String description) {
        this.code = code;
        this.description = description;
    }

    /** A deployment jar or zip on disk, uploaded as a CDK asset. */
    public static LambdaHooks fromAsset(String path) {
        if (path == null || !Files.isRegularFile(Path.of(path))) {
            throw new IllegalArgumentException("LambdaHooks.fromAsset: "
                    + (path == null ? "null" : Path.of(path).toAbsolutePath().normalize())
                    + " (expected: the lambda-hooks deployment jar; build it with `mvn -pl lambda-hooks package`)");
        }
        return new LambdaHooks(Code.fromAsset(path), path);
    }

    /** Any Lambda code holding the three handler classes, e.g. {@code Code.fromBucket(bucket, key)}. */
    public static LambdaHooks fromCode(Code code) {
        if (code == null) {
            throw new IllegalArgumentException("LambdaHooks.fromCode: null (expected: Lambda code holding the Trellis hooks)");
        }
        return new LambdaHooks(code, code.toString());
    }

    public Code code() {
        return code;
    }

    @Override
    public String toString() {
        return "LambdaHooks(" + description + ")";
    }
}
