package dev.trellis.cloudmap;

import dev.trellis.naming.CloudMapAttributes;
import java.util.Arrays;
import java.util.stream.Collectors;

/** What runs a workload; its {@link #attributeValue()} is the {@link CloudMapAttributes#WORKLOAD_KIND} attribute. */
public enum WorkloadKind {
    /** An ECS task; its workload id is the task ARN. */
    ECS_TASK("ecs-task"),
    /** A Kubernetes pod on EKS; its workload id is {@code namespace/name}. */
    EKS_POD("eks-pod"),
    /** A process of the local mode. */
    LOCAL("local");

    private final String attributeValue;

    WorkloadKind(String attributeValue) {
        this.attributeValue = attributeValue;
    }

    /** The value of the {@link CloudMapAttributes#WORKLOAD_KIND} attribute, such as {@code ecs-task}. */
    public String attributeValue() {
        return attributeValue;
    }

    /**
     * The kind whose attribute value is {@code value}.
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static WorkloadKind fromAttributeValue(String value) {
        for (WorkloadKind kind : values()) {
            if (kind.attributeValue.equals(value)) {
                return kind;
            }
        }
        throw new IllegalArgumentException(CloudMapAttributes.WORKLOAD_KIND + ": " + quote(value) + " (expected: one of "
                + Arrays.stream(values()).map(WorkloadKind::attributeValue).collect(Collectors.joining(", ")) + ")");
    }

    private static String quote(String value) {
        return value == null ? "null" : "\"" + value + "\"";
    }
}
