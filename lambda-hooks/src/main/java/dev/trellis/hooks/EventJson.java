package dev.trellis.hooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Event JSON read as a tree and its fields taken one by one, so that a hook names exactly the
 * field that is missing or of the wrong type, and loads no event classes it does not use (the
 * reason the hooks do not depend on {@code aws-lambda-java-events}).
 */
public final class EventJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private EventJson() {
    }

    /** The shared mapper; configured once, thread-safe. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /**
     * Reads one JSON object.
     *
     * @throws MalformedEventException if the input is not well-formed JSON or not an object
     */
    public static ObjectNode readObject(InputStream input) {
        JsonNode tree;
        try {
            tree = MAPPER.readTree(input);
        } catch (JsonProcessingException e) {
            throw new MalformedEventException("(event)", "malformed JSON: " + e.getOriginalMessage(), "a JSON object");
        } catch (IOException e) {
            throw new UncheckedIOException("reading the event failed", e);
        }
        return asObject(tree, "(event)");
    }

    /** Reads one JSON object from text; see {@link #readObject(InputStream)}. */
    public static ObjectNode readObject(String json) {
        try {
            return asObject(MAPPER.readTree(json), "(event)");
        } catch (JsonProcessingException e) {
            throw new MalformedEventException("(event)", "malformed JSON: " + e.getOriginalMessage(), "a JSON object");
        }
    }

    /** Writes a value as JSON to a Lambda output stream. */
    public static void write(OutputStream output, Object value) {
        try {
            MAPPER.writeValue(output, value);
        } catch (IOException e) {
            throw new UncheckedIOException("writing the response failed", e);
        }
    }

    /** The object at {@code field} of {@code parent}; {@code path} names it in errors. */
    public static ObjectNode object(JsonNode parent, String field, String path) {
        return asObject(parent.get(field), path);
    }

    /** A non-blank string field. */
    public static String text(JsonNode parent, String field, String path) {
        return optionalText(parent, field, path)
                .orElseThrow(() -> new MalformedEventException(path, "missing", "a non-empty string"));
    }

    /** A string field that may be absent or null; present but not a string (or blank) is an error. */
    public static Optional<String> optionalText(JsonNode parent, String field, String path) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            throw new MalformedEventException(path, show(node), "a non-empty string");
        }
        return Optional.of(node.asText());
    }

    /** How a node appears in an error message: short, and JSON so that types show. */
    public static String show(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "missing";
        }
        String text = node.toString();
        return text.length() > 80 ? text.substring(0, 77) + "..." : text;
    }

    private static ObjectNode asObject(JsonNode node, String path) {
        if (node == null || node.isMissingNode()) {
            throw new MalformedEventException(path, "missing", "a JSON object");
        }
        if (!node.isObject()) {
            throw new MalformedEventException(path, show(node), "a JSON object");
        }
        return (ObjectNode) node;
    }
}
