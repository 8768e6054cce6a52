package dev.trellis.spec.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.trellis.spec.SpecProblem;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The structural check of a spec against the published JSON Schema: types, required and unknown
 * fields, enumerations, ranges and formats, every problem at once, phrased as {@link SpecProblem}s.
 */
public final class SchemaCheck {

    public static final String SCHEMA_RESOURCE = "/dev/trellis/spec/mesh-spec.schema.json";

    private static final JsonNode SCHEMA_TREE = readSchemaTree();
    /** 2020-12, plus our {@code x-expected} annotation (the human wording of a constraint). */
    private static final JsonMetaSchema META_SCHEMA = JsonMetaSchema.builder(JsonMetaSchema.getV202012())
            .keyword(new NonValidationKeyword("x-expected"))
            .build();
    private static final JsonSchema SCHEMA = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
            builder -> builder.metaSchema(META_SCHEMA)).getSchema(SCHEMA_TREE);

    private SchemaCheck() {
    }

    /** The schema as a JSON tree, as published for editors. */
    public static JsonNode schemaTree() {
        return SCHEMA_TREE.deepCopy();
    }

    public static List<SpecProblem> check(JsonNode document) {
        List<SpecProblem> problems = new ArrayList<>();
        for (ValidationMessage message : SCHEMA.validate(document)) {
            problems.add(toProblem(document, message));
        }
        problems.sort(Comparator.comparing(SpecProblem::path).thenComparing(SpecProblem::expected));
        return problems;
    }

    private static SpecProblem toProblem(JsonNode document, ValidationMessage message) {
        String path = SpecPaths.render(document, message.getInstanceLocation());
        JsonNode schema = schemaAt(message.getSchemaLocation().getFragment());
        JsonNode found = message.getInstanceNode();
        return switch (message.getType()) {
            case "additionalProperties" -> new SpecProblem(
                    SpecPaths.child(path, message.getProperty()), "unknown field",
                    "one of " + String.join(", ", names(schema.path("properties"))));
            case "required" -> new SpecProblem(
                    SpecPaths.child(path, message.getProperty()), "missing", "a value");
            case "type" -> new SpecProblem(path, show(found), article(schema.path("type").asText()));
            case "minimum", "maximum" -> new SpecProblem(path, show(found), range(schema));
            case "enum" -> new SpecProblem(path, show(found), "one of " + values(schema.path("enum")));
            case "const" -> new SpecProblem(path, show(found), schema.path("const").asText());
            case "minItems" -> new SpecProblem(path, "an empty list",
                    "at least " + schema.path("minItems").asInt() + " item");
            case "minLength" -> new SpecProblem(path, show(found), "a non-empty string");
            default -> new SpecProblem(path, show(found),
                    schema.has("x-expected") ? schema.get("x-expected").asText() : message.getMessage());
        };
    }

    /** The schema object holding the keyword that failed. */
    private static JsonNode schemaAt(JsonNodePath keywordLocation) {
        JsonNode node = SCHEMA_TREE;
        for (int i = 0; i < keywordLocation.getNameCount() - 1; i++) {
            Object element = keywordLocation.getElement(i);
            node = element instanceof Integer index ? node.path(index) : node.path((String) element);
        }
        return node;
    }

    private static String range(JsonNode schema) {
        boolean hasMin = schema.has("minimum");
        boolean hasMax = schema.has("maximum");
        if (hasMin && hasMax) {
            return schema.get("minimum").asText() + ".." + schema.get("maximum").asText();
        }
        return hasMin ? ">= " + schema.get("minimum").asText() : "<= " + schema.get("maximum").asText();
    }

    static String show(JsonNode found) {
        if (found == null || found.isMissingNode()) {
            return "missing";
        }
        String text = found.isTextual() ? found.asText() : found.toString();
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }

    private static String article(String type) {
        return switch (type) {
            case "integer" -> "an integer";
            case "object" -> "an object";
            case "array" -> "a list";
            default -> "a " + type;
        };
    }

    private static List<String> names(JsonNode properties) {
        List<String> names = new ArrayList<>();
        properties.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String values(JsonNode array) {
        List<String> values = new ArrayList<>();
        for (Iterator<JsonNode> it = array.elements(); it.hasNext(); ) {
            values.add(it.next().asText());
        }
        return values.stream().collect(Collectors.joining(", "));
    }

    private static JsonNode readSchemaTree() {
        try (InputStream in = SchemaCheck.class.getResourceAsStream(SCHEMA_RESOURCE)) {
            return SpecJson.json().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("the mesh spec schema could not be read from " + SCHEMA_RESOURCE, e);
        }
    }
}
