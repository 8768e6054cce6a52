package dev.trellis.hooks.custom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trellis.hooks.EventJson;
import dev.trellis.hooks.MalformedEventException;
import java.net.URI;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A CloudFormation custom resource request, as CloudFormation sends it to a Lambda function.
 *
 * @param requestType Create, Update or Delete
 * @param responseUrl the pre-signed S3 URL the response is PUT to
 * @param stackId the stack's ARN
 * @param requestId unique per request; CloudFormation may send the same request again
 * @param resourceType such as {@code Custom::TrellisMeshCa}
 * @param logicalResourceId the resource's id in the template
 * @param physicalResourceId what the last Create or Update answered; empty on Create
 * @param properties the resource's properties (every value a string, as CloudFormation sends them)
 * @param oldProperties the properties before an Update; empty otherwise
 */
public record CustomResourceRequest(
        RequestType requestType,
        URI responseUrl,
        String stackId,
        String requestId,
        String resourceType,
        String logicalResourceId,
        Optional<String> physicalResourceId,
        ObjectNode properties,
        Optional<ObjectNode> oldProperties) {

    /**
     * Reads a request.
     *
     * @throws MalformedEventException naming the first field at fault
     */
    public static CustomResourceRequest fromJson(ObjectNode json) {
        String type = EventJson.text(json, "RequestType", "RequestType");
        RequestType requestType = Arrays.stream(RequestType.values())
                .filter(t -> t.wireName().equals(type)).findFirst()
                .orElseThrow(() -> new MalformedEventException("RequestType", "\"" + type + "\"",
                        Arrays.stream(RequestType.values()).map(RequestType::wireName).collect(Collectors.joining(", "))));
        URI responseUrl = responseUrl(json).orElseThrow(
                () -> new MalformedEventException("ResponseURL", "missing", "the pre-signed URL to PUT the response to"));
        Optional<String> physicalId = EventJson.optionalText(json, "PhysicalResourceId", "PhysicalResourceId");
        if (requestType != RequestType.CREATE && physicalId.isEmpty()) {
            throw new MalformedEventException("PhysicalResourceId", "missing", "the id a Create answered, on " + type);
        }
        JsonNode properties = json.get("ResourceProperties");
        ObjectNode props = properties == null || properties.isNull()
                ? EventJson.mapper().createObjectNode() : EventJson.object(json, "ResourceProperties", "ResourceProperties");
        Optional<ObjectNode> oldProps = Optional.empty();
        if (requestType == RequestType.UPDATE) {
            oldProps = Optional.of(EventJson.object(json, "OldResourceProperties", "OldResourceProperties"));
        }
        return new CustomResourceRequest(requestType, responseUrl,
                EventJson.text(json, "StackId", "StackId"),
                EventJson.text(json, "RequestId", "RequestId"),
                EventJson.text(json, "ResourceType", "ResourceType"),
                EventJson.text(json, "LogicalResourceId", "LogicalResourceId"),
                physicalId, props, oldProps);
    }

    /** The response URL of a request that may be malformed otherwise, so that it can still be answered. */
    public static Optional<URI> responseUrl(JsonNode json) {
        JsonNode url = json.get("ResponseURL");
        if (url == null || !url.isTextual()) {
            return Optional.empty();
        }
        try {
            URI uri = URI.create(url.asText());
            String scheme = uri.getScheme();
            return ("https".equals(scheme) || "http".equals(scheme)) && uri.getHost() != null
                    ? Optional.of(uri) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** A property's value, or empty when it is absent or blank. */
    public Optional<String> property(String name) {
        return property(properties, name);
    }

    /** An old property's value (Update only), or empty. */
    public Optional<String> oldProperty(String name) {
        return oldProperties.flatMap(old -> property(old, name));
    }

    private static Optional<String> property(ObjectNode properties, String name) {
        JsonNode value = properties.get(name);
        if (value == null || value.isNull() || value.isContainerNode() || value.asText().isBlank()) {
            return Optional.empty();
        }
        return Optional.of(value.asText().strip());
    }
}
