package dev.trellis.cloudmap.ecs;

import dev.trellis.cloudmap.internal.SdkEcsTaskApi;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.ecs.EcsClient;

/**
 * The ECS calls the {@link EcsTaskSource} makes (pages followed, batches split), so that tests
 * can wrap them. Errors are the AWS SDK's exceptions, unchanged.
 */
public interface EcsTaskApi {

    /** The implementation with the AWS SDK's ECS client (the caller keeps owning the client). */
    static EcsTaskApi of(EcsClient client) {
        return new SdkEcsTaskApi(client);
    }

    /** ARNs of the cluster's tasks that ECS wants running. ListTasks. */
    List<String> listTaskArns(String cluster);

    /** The tasks with their tags; unknown ARNs are left out. DescribeTasks with include TAGS. */
    List<EcsTask> describeTasks(String cluster, List<String> taskArns);

    /**
     * The environment of the task definition's proxy container: the first container that sets
     * {@code TRELLIS_MESH}, or empty. DescribeTaskDefinition.
     */
    Map<String, String> proxyEnvironment(String taskDefinitionArn);
}
