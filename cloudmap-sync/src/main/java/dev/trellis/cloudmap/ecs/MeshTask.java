package dev.trellis.cloudmap.ecs;

import dev.trellis.cloudmap.Workload;
import java.util.Objects;
import java.util.Optional;

/**
 * An ECS task that belongs to a mesh, with the service and version it runs.
 *
 * @param task    the task
 * @param mesh    the mesh
 * @param service the mesh service
 * @param version the service version
 */
public record MeshTask(EcsTask task, String mesh, String service, String version) {
    public MeshTask {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(mesh, "mesh");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(version, "version");
    }

    /**
     * The workload to register, when the task runs and has an address; health comes from the
     * task's health status.
     *
     * @throws IllegalArgumentException when a label is not a valid name (see {@link Workload.Builder#build()})
     */
    public Optional<Workload> workload(int port) {
        if (!task.running() || task.privateIpv4().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Workload.builder()
                .mesh(mesh).service(service).version(version)
                .address(task.privateIpv4().get()).port(port)
                .zone(task.availabilityZone().orElse(null))
                .ecsTask(task.taskArn())
                .healthy(task.healthy())
                .build());
    }

    /** The Cloud Map instance id of this task. */
    public String instanceId() {
        return Workload.instanceIdOf(dev.trellis.cloudmap.WorkloadKind.ECS_TASK, task.taskArn());
    }
}
