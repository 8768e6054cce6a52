package dev.trellis.cloudmap.testing;

import dev.trellis.cloudmap.ecs.EcsClusters;
import dev.trellis.cloudmap.ecs.EcsTask;
import dev.trellis.cloudmap.ecs.EcsTaskApi;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.ecs.model.EcsException;

/**
 * Wraps the real {@link EcsTaskApi} to add what moto does not model: task health checks (moto
 * reports no task healthStatus) and failing ListTasks calls (moto has no error injection).
 * Everything else is the emulator's answer, unchanged.
 */
public final class ScriptedEcsTaskApi implements EcsTaskApi {

    private final EcsTaskApi delegate;
    private final Map<String, String> healthByTaskArn = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> listingFailures = new ConcurrentHashMap<>();

    public ScriptedEcsTaskApi(EcsTaskApi delegate) {
        this.delegate = delegate;
    }

    /** ECS reports this health status (HEALTHY, UNHEALTHY, UNKNOWN) for the task from now on. */
    public void reportHealth(String taskArn, String healthStatus) {
        healthByTaskArn.put(taskArn, healthStatus);
    }

    /** The next {@code times} ListTasks calls for the cluster fail with a 500 server error. */
    public void failListing(String cluster, int times) {
        listingFailures.put(EcsClusters.name(cluster), new AtomicInteger(times));
    }

    @Override
    public List<String> listTaskArns(String cluster) {
        AtomicInteger failures = listingFailures.get(EcsClusters.name(cluster));
        if (failures != null && failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw EcsException.builder().statusCode(500).message("Internal failure")
                    .awsErrorDetails(AwsErrorDetails.builder().errorCode("ServerException").errorMessage("Internal failure")
                            .serviceName("ECS").build())
                    .build();
        }
        return delegate.listTaskArns(cluster);
    }

    @Override
    public List<EcsTask> describeTasks(String cluster, List<String> taskArns) {
        return delegate.describeTasks(cluster, taskArns).stream().map(task -> {
            String health = healthByTaskArn.get(task.taskArn());
            return health == null ? task : new EcsTask(task.taskArn(), task.clusterArn(), task.taskDefinitionArn(),
                    task.lastStatus(), task.desiredStatus(), Optional.of(health), task.availabilityZone(),
                    task.privateIpv4(), task.tags(), task.version());
        }).toList();
    }

    @Override
    public Map<String, String> proxyEnvironment(String taskDefinitionArn) {
        return delegate.proxyEnvironment(taskDefinitionArn);
    }
}
