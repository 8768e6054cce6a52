package dev.trellis.cloudmap.ecs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An EventBridge "ECS Task State Change" event, as far as Cloud Map registration needs it: the
 * documented {@code detail} fields clusterArn, taskArn, taskDefinitionArn, lastStatus,
 * desiredStatus, healthStatus, availabilityZone, group, version, updatedAt, and the ENI's
 * private IPv4 address from {@code attachments} (or from {@code containers[].networkInterfaces}).
 *
 * <pre>{@code
 * EcsTaskStateChange change = EcsTaskStateChange.parse(eventJson);   // whole event or its detail
 * reconciler.onTaskStateChange(change);
 * }</pre>
 *
 * @param task      the task as the event shows it (no tags: events carry none)
 * @param group     the task group, such as {@code service:orders}, when present
 * @param updatedAt when the task last changed, when present
 */
public record EcsTaskStateChange(EcsTask task, Optional<String> group, Optional<Instant> updatedAt) {

    /** The event's {@code detail-type}. */
    public static final String DETAIL_TYPE = "ECS Task State Change";

    private static final ObjectMapper JSON = new ObjectMapper();

    public EcsTaskStateChange {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /**
     * Parses a whole EventBridge event (with {@code detail-type} and {@code detail}) or its
     * {@code detail} object alone.
     *
     * @throws IllegalArgumentException naming the first missing or malformed field, the value and
     *                                  what was expected; never half a result
     */
    public static EcsTaskStateChange parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json == null ? "" : json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("event: not JSON (expected: an ECS Task State Change event or its detail): "
                    + e.getOriginalMessage(), e);
        }
        return from(root);
    }

    /**
     * Like {@link #parse(String)}, from the map a Lambda {@code RequestHandler<Map<String, Object>, ?>}
     * receives.
     */
    public static EcsTaskStateChange fromMap(Map<String, ?> event) {
        if (event == null) {
            throw new IllegalArgumentException("event: missing (expected: a JSON object)");
        }
        return from(JSON.valueToTree(event));
    }

    /** Like {@link #parse(String)}, from a parsed tree. */
    public static EcsTaskStateChange from(JsonNode event) {
        if (event == null || !event.isObject()) {
            throw new IllegalArgumentException("event: " + describe(event) + " (expected: a JSON object)");
        }
        String path = "detail";
        JsonNode detail = event;
        if (event.has("detail-type") || event.has("detail")) {
            String detailType = event.path("detail-type").asText(null);
            if (!DETAIL_TYPE.equals(detailType)) {
                throw new IllegalArgumentException("detail-type: " + quote(detailType) + " (expected: \"" + DETAIL_TYPE + "\")");
            }
            detail = event.get("detail");
            if (detail == null || !detail.isObject()) {
                throw new IllegalArgumentException("detail: " + describe(detail) + " (expected: a JSON object)");
            }
        }
        String taskArn = requireText(detail, path, "taskArn", ":task/", "an ECS task ARN such as arn:aws:ecs:us-east-1:123456789012:task/prod/0123...");
        String clusterArn = requireText(detail, path, "clusterArn", null, "an ECS cluster ARN");
        String lastStatus = requireText(detail, path, "lastStatus", null, "an ECS task status such as RUNNING");
        String desiredStatus = requireText(detail, path, "desiredStatus", null, "RUNNING or STOPPED");
        Optional<Long> version = Optional.empty();
        JsonNode versionNode = detail.get("version");
        if (versionNode != null && !versionNode.isNull()) {
            if (!versionNode.canConvertToLong() || versionNode.asLong() < 0) {
                throw new IllegalArgumentException(path + ".version: " + versionNode + " (expected: a whole number >= 0)");
            }
            version = Optional.of(versionNode.asLong());
        }
        Optional<Instant> updatedAt = Optional.empty();
        String updated = optionalText(detail, "updatedAt").orElse(null);
        if (updated != null) {
            try {
                updatedAt = Optional.of(Instant.parse(updated));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(path + ".updatedAt: " + quote(updated)
                        + " (expected: an ISO-8601 instant such as 2026-11-26T07:30:00.123Z)", e);
            }
        }
        EcsTask task = new EcsTask(taskArn, clusterArn, optionalText(detail, "taskDefinitionArn").orElse(null),
                lastStatus, desiredStatus, optionalText(detail, "healthStatus"),
                optionalText(detail, "availabilityZone"), privateIpv4(detail), Map.of(), version);
        return new EcsTaskStateChange(task, optionalText(detail, "group"), updatedAt);
    }

    private static Optional<String> privateIpv4(JsonNode detail) {
        for (JsonNode attachment : detail.path("attachments")) {
            if (isEni(attachment.path("type").asText())) {
                for (JsonNode item : attachment.path("details")) {
                    if ("privateIPv4Address".equals(item.path("name").asText()) && item.path("value").isTextual()
                            && !item.path("value").asText().isBlank()) {
                        return Optional.of(item.path("value").asText());
                    }
                }
            }
        }
        for (JsonNode container : detail.path("containers")) {
            for (JsonNode networkInterface : container.path("networkInterfaces")) {
                if (networkInterface.path("privateIpv4Address").isTextual()) {
                    return Optional.of(networkInterface.path("privateIpv4Address").asText());
                }
            }
        }
        return Optional.empty();
    }

    /** DescribeTasks says "ElasticNetworkInterface"; events say "eni". */
    private static boolean isEni(String type) {
        return "eni".equals(type) || "ElasticNetworkInterface".equals(type);
    }

    private static String requireText(JsonNode detail, String path, String field, String mustContain, String expected) {
        JsonNode node = detail.get(field);
        if (node == null || !node.isTextual() || node.asText().isBlank()
                || (mustContain != null && !(node.asText().startsWith("arn:") && node.asText().contains(mustContain)))) {
            throw new IllegalArgumentException(path + "." + field + ": " + describe(node) + " (expected: " + expected + ")");
        }
        return node.asText();
    }

    private static Optional<String> optionalText(JsonNode detail, String field) {
        JsonNode node = detail.get(field);
        return node != null && node.isTextual() && !node.asText().isBlank() ? Optional.of(node.asText()) : Optional.empty();
    }

    private static String describe(JsonNode node) {
        return node == null || node.isMissingNode() ? "missing" : node.toString();
    }

    private static String quote(String value) {
        return value == null ? "missing" : "\"" + value + "\"";
    }
}
