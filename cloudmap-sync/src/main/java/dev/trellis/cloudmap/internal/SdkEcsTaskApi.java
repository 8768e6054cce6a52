package dev.trellis.cloudmap.internal;

import dev.trellis.cloudmap.ecs.EcsTask;
import dev.trellis.cloudmap.ecs.EcsTaskApi;
import dev.trellis.naming.WorkloadLabels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Attachment;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.Tag;
import software.amazon.awssdk.services.ecs.model.Task;
import software.amazon.awssdk.services.ecs.model.TaskField;

/** {@link EcsTaskApi} with the AWS SDK's synchronous ECS client. */
public final class SdkEcsTaskApi implements EcsTaskApi {

    /** DescribeTasks takes at most this many tasks per call. */
    private static final int DESCRIBE_BATCH = 100;

    private final EcsClient client;

    public SdkEcsTaskApi(EcsClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    @Override
    public List<String> listTaskArns(String cluster) {
        List<String> arns = new ArrayList<>();
        client.listTasksPaginator(r -> r.cluster(cluster)).forEach(page -> arns.addAll(page.taskArns()));
        return arns;
    }

    @Override
    public List<EcsTask> describeTasks(String cluster, List<String> taskArns) {
        List<EcsTask> tasks = new ArrayList<>();
        for (int from = 0; from < taskArns.size(); from += DESCRIBE_BATCH) {
            List<String> batch = taskArns.subList(from, Math.min(taskArns.size(), from + DESCRIBE_BATCH));
            for (Task task : client.describeTasks(r -> r.cluster(cluster).tasks(batch).include(TaskField.TAGS)).tasks()) {
                tasks.add(toEcsTask(task));
            }
        }
        return tasks;
    }

    @Override
    public Map<String, String> proxyEnvironment(String taskDefinitionArn) {
        for (ContainerDefinition container : client.describeTaskDefinition(r -> r.taskDefinition(taskDefinitionArn))
                .taskDefinition().containerDefinitions()) {
            Map<String, String> environment = new LinkedHashMap<>();
            for (KeyValuePair variable : container.environment()) {
                if (variable.name() != null && variable.value() != null) {
                    environment.put(variable.name(), variable.value());
                }
            }
            if (environment.containsKey(WorkloadLabels.ENV_MESH)) {
                return environment;
            }
        }
        return Map.of();
    }

    static EcsTask toEcsTask(Task task) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (Tag tag : task.tags()) {
            if (tag.key() != null && tag.value() != null) {
                tags.put(tag.key(), tag.value());
            }
        }
        return new EcsTask(task.taskArn(), task.clusterArn(), task.taskDefinitionArn(),
                Objects.requireNonNullElse(task.lastStatus(), "UNKNOWN"),
                Objects.requireNonNullElse(task.desiredStatus(), "UNKNOWN"),
                Optional.ofNullable(task.healthStatusAsString()).filter(s -> !s.isBlank()),
                Optional.ofNullable(task.availabilityZone()).filter(s -> !s.isBlank()),
                privateIpv4(task.attachments()), tags, Optional.ofNullable(task.version()));
    }

    private static Optional<String> privateIpv4(List<Attachment> attachments) {
        for (Attachment attachment : attachments) {
            if ("ElasticNetworkInterface".equals(attachment.type()) || "eni".equals(attachment.type())) {
                for (KeyValuePair detail : attachment.details()) {
                    if ("privateIPv4Address".equals(detail.name()) && detail.value() != null && !detail.value().isBlank()) {
                        return Optional.of(detail.value());
                    }
                }
            }
        }
        return Optional.empty();
    }
}
