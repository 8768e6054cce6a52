package dev.trellis.cloudmap.ecs;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What Trellis needs to know of one ECS task, from DescribeTasks or from a task state change event.
 *
 * @param taskArn           the task ARN
 * @param clusterArn        the cluster ARN
 * @param taskDefinitionArn the task definition ARN (with revision)
 * @param lastStatus        PROVISIONING, PENDING, ACTIVATING, RUNNING, DEACTIVATING, STOPPING, DEPROVISIONING, STOPPED, DELETED
 * @param desiredStatus     RUNNING or STOPPED (PENDING for some launch types)
 * @param healthStatus      HEALTHY, UNHEALTHY or UNKNOWN; empty when the task reports none
 * @param availabilityZone  the zone, when reported
 * @param privateIpv4       the awsvpc ENI's private IPv4 address, when attached
 * @param tags              the task's tags (empty when not asked for or from an event)
 * @param version           the task's version, increasing with each state change, when reported
 */
public record EcsTask(String taskArn, String clusterArn, String taskDefinitionArn, String lastStatus,
                      String desiredStatus, Optional<String> healthStatus, Optional<String> availabilityZone,
                      Optional<String> privateIpv4, Map<String, String> tags, Optional<Long> version) {

    /** States after RUNNING: the task has begun to stop, or has stopped. */
    private static final Set<String> STOPPING_STATES = Set.of("DEACTIVATING", "STOPPING", "DEPROVISIONING", "STOPPED", "DELETED");

    public EcsTask {
        Objects.requireNonNull(taskArn, "taskArn");
        Objects.requireNonNull(lastStatus, "lastStatus");
        Objects.requireNonNull(desiredStatus, "desiredStatus");
        Objects.requireNonNull(healthStatus, "healthStatus");
        Objects.requireNonNull(availabilityZone, "availabilityZone");
        Objects.requireNonNull(privateIpv4, "privateIpv4");
        tags = Map.copyOf(tags);
        Objects.requireNonNull(version, "version");
    }

    /**
     * Whether the task has begun to stop: ECS wants it STOPPED, or it is past RUNNING. Such a task
     * must leave Cloud Map at once, so no proxy sends requests to a draining task. Stopping never
     * reverses: a task that stops never runs again.
     */
    public boolean stopping() {
        return "STOPPED".equals(desiredStatus) || STOPPING_STATES.contains(lastStatus);
    }

    /** Whether the task runs and is meant to keep running. */
    public boolean running() {
        return "RUNNING".equals(lastStatus) && !stopping();
    }

    /** Whether the task passes its health checks, or reports none (only UNHEALTHY is unhealthy). */
    public boolean healthy() {
        return !healthStatus.map("UNHEALTHY"::equals).orElse(false);
    }

    /** The task id: the last segment of the ARN. */
    public String taskId() {
        return taskArn.substring(taskArn.lastIndexOf('/') + 1);
    }

    /** The cluster name: the last segment of the cluster ARN (or the value itself). */
    public String clusterName() {
        return clusterArn == null ? "" : EcsClusters.name(clusterArn);
    }
}
