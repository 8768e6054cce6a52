package dev.trellis.hooks.custom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trellis.hooks.EventJson;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What a custom resource answers CloudFormation: the body PUT to the request's response URL.
 *
 * @param status SUCCESS or FAILED
 * @param reason why it failed (CloudFormation shows it in the stack's events); empty on success
 * @param physicalResourceId the resource's id; a different id on Update means a replacement
 * @param stackId from the request
 * @param requestId from the request
 * @param logicalResourceId from the request
 * @param data attributes for {@code Fn::GetAtt}
 */
public record CustomResourceResponse(
        Status status,
        String reason,
        String physicalResourceId,
        String stackId,
        String requestId,
        String logicalResourceId,
        Map<String, String> data) {

    /** CloudFormation refuses response bodies above this many bytes. */
    public static final int MAX_BODY_BYTES = 4096;

    public enum Status { SUCCESS, FAILED }

    public CustomResourceResponse {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(physicalResourceId, "physicalResourceId");
        data = Map.copyOf(new LinkedHashMap<>(data));
    }

    public static CustomResourceResponse success(CustomResourceRequest request, String physicalResourceId,
                                                 Map<String, String> data) {
        return new CustomResourceResponse(Status.SUCCESS, "", physicalResourceId, request.stackId(),
                request.requestId(), request.logicalResourceId(), data);
    }

    /**
     * A failure. The physical id stays the request's (so a failed Update is not taken for a
     * replacement); a failed Create answers {@code failedCreateId}, which a later Delete
     * recognizes as "nothing was created".
     */
    public static CustomResourceResponse failed(CustomResourceRequest request, String failedCreateId, String reason) {
        return new CustomResourceResponse(Status.FAILED, reason, request.physicalResourceId().orElse(failedCreateId),
                request.stackId(), request.requestId(), request.logicalResourceId(), Map.of());
    }

    /**
     * A failure for a request that could not be read, with whatever identifiers it has, so that
     * CloudFormation still gets an answer instead of waiting an hour.
     */
    public static CustomResourceResponse unreadable(JsonNode request, String failedCreateId, String reason) {
        return new CustomResourceResponse(Status.FAILED, reason,
                textOr(request, "PhysicalResourceId", failedCreateId), textOr(request, "StackId", ""),
                textOr(request, "RequestId", ""), textOr(request, "LogicalResourceId", ""), Map.of());
    }

    private static String textOr(JsonNode json, String field, String otherwise) {
        JsonNode node = json.get(field);
        return node != null && node.isTextual() && !node.asText().isBlank() ? node.asText() : otherwise;
    }

    /** The JSON CloudFormation expects; a reason too long for the body limit is cut. */
    public ObjectNode toJson() {
        ObjectNode json = EventJson.mapper().createObjectNode()
                .put("Status", status.name())
                .put("Reason", reason.length() > 1024 ? reason.substring(0, 1021) + "..." : reason)
                .put("PhysicalResourceId", physicalResourceId)
                .put("StackId", stackId)
                .put("RequestId", requestId)
                .put("LogicalResourceId", logicalResourceId)
                .put("NoEcho", false);
        ObjectNode dataJson = json.putObject("Data");
        data.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> dataJson.put(e.getKey(), e.getValue()));
        return json;
    }
}
