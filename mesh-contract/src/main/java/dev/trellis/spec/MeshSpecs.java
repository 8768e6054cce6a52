package dev.trellis.spec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.spec.internal.SchemaCheck;
import dev.trellis.spec.internal.SemanticCheck;
import dev.trellis.spec.internal.SpecJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Reading, writing and validating mesh specs. Every way in validates: a spec that comes out of
 * here is whole and consistent, and a bad one fails with every problem at once.
 *
 * <pre>{@code
 * MeshSpec spec = MeshSpecs.read(Path.of("examples/shop/mesh.yaml"));
 * String json = MeshSpecs.toJson(spec);
 * }</pre>
 */
public final class MeshSpecs {

    private static final ObjectMapper LENIENT =
            SpecJson.json().copy().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private MeshSpecs() {
    }

    /** Reads a spec file, YAML or JSON (by its extension), and validates it. */
    public static MeshSpec read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("spec file: " + file + " (expected: a readable YAML or JSON file)", e);
        }
        return parse(text, file.toString());
    }

    /** Parses YAML or JSON (JSON is YAML) and validates it; {@code source} names it in errors. */
    public static MeshSpec parse(String text, String source) {
        JsonNode tree = parseTree(text, source);
        List<SpecProblem> problems = new ArrayList<>(SchemaCheck.check(tree));
        MeshSpec spec;
        if (problems.isEmpty()) {
            spec = bind(SpecJson.json(), tree, source);
            problems.addAll(SemanticCheck.check(spec));
        } else {
            spec = null;
            problems.addAll(referenceProblemsOfWhatBinds(tree));
        }
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(source, List.copyOf(new LinkedHashSet<>(problems)));
        }
        return spec;
    }

    public static MeshSpec parseYaml(String yaml) {
        return parse(yaml, "spec");
    }

    public static MeshSpec parseJson(String json) {
        return parse(json, "spec");
    }

    /** Every problem of a spec built in code (the CDK constructs do this), empty when it is valid. */
    public static List<SpecProblem> problems(MeshSpec spec) {
        JsonNode tree = SpecJson.json().valueToTree(spec);
        List<SpecProblem> problems = new ArrayList<>(SchemaCheck.check(tree));
        problems.addAll(SemanticCheck.check(spec));
        return List.copyOf(new LinkedHashSet<>(problems));
    }

    /** Returns the spec if it is valid, else throws with every problem. */
    public static MeshSpec validate(MeshSpec spec) {
        List<SpecProblem> problems = problems(spec);
        if (!problems.isEmpty()) {
            throw new InvalidSpecException("mesh " + spec.mesh(), problems);
        }
        return spec;
    }

    /** Problems of a text, empty when it is a valid spec: for {@code trellis validate}. */
    public static List<SpecProblem> problems(String text, String source) {
        try {
            parse(text, source);
            return List.of();
        } catch (InvalidSpecException e) {
            return e.problems();
        }
    }

    public static String toJson(MeshSpec spec) {
        return write(SpecJson.json(), spec);
    }

    public static String toPrettyJson(MeshSpec spec) {
        try {
            return SpecJson.json().writerWithDefaultPrettyPrinter().writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a spec record could not be written as JSON", e);
        }
    }

    public static String toYaml(MeshSpec spec) {
        return write(SpecJson.yaml(), spec);
    }

    /** One service's part of the spec as JSON: what the CDK constructs store in one SSM parameter. */
    public static String serviceToJson(ServiceSpec service) {
        return write(SpecJson.json(), service);
    }

    public static ServiceSpec serviceFromJson(String json, String source) {
        JsonNode tree = parseTree(json, source);
        return bind(SpecJson.json(), tree, source, ServiceSpec.class);
    }

    /** The same spec with its services ordered by name, the order SSM parameters come back in. */
    public static MeshSpec normalized(MeshSpec spec) {
        List<ServiceSpec> services = new ArrayList<>(spec.services());
        services.sort(java.util.Comparator.comparing(ServiceSpec::name));
        return new MeshSpec(spec.apiVersion(), spec.mesh(), spec.trustDomain(), spec.tls(), spec.defaultPolicy(), services);
    }

    /** The published JSON Schema of the spec, for editors. */
    public static String jsonSchema() {
        return SchemaCheck.schemaTree().toPrettyString();
    }

    private static JsonNode parseTree(String text, String source) {
        try {
            JsonNode tree = SpecJson.yaml().readTree(text);
            if (tree == null || !tree.isObject()) {
                throw new InvalidSpecException(source, List.of(new SpecProblem("(document)",
                        tree == null || tree.isMissingNode() ? "nothing" : tree.getNodeType().toString().toLowerCase(),
                        "a mapping with apiVersion, mesh and services")));
            }
            return tree;
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new InvalidSpecException(source, List.of(new SpecProblem("(document)",
                    "malformed YAML/JSON" + where + ": " + e.getOriginalMessage(), "well-formed YAML or JSON")));
        }
    }

    private static MeshSpec bind(ObjectMapper mapper, JsonNode tree, String source) {
        return bind(mapper, tree, source, MeshSpec.class);
    }

    private static <T> T bind(ObjectMapper mapper, JsonNode tree, String source, Class<T> type) {
        try {
            return mapper.treeToValue(tree, type);
        } catch (JsonProcessingException e) {
            String path = e instanceof com.fasterxml.jackson.databind.JsonMappingException m
                    ? m.getPathReference() : "(document)";
            throw new InvalidSpecException(source, List.of(new SpecProblem(path, e.getOriginalMessage(),
                    "a value of the right shape")));
        }
    }

    /**
     * After schema problems, binds what can be bound so that reference problems are reported in
     * the same pass; a document too broken to bind reports its schema problems alone.
     */
    private static List<SpecProblem> referenceProblemsOfWhatBinds(JsonNode tree) {
        try {
            return SemanticCheck.check(LENIENT.treeToValue(tree, MeshSpec.class));
        } catch (JsonProcessingException | RuntimeException e) {
            return List.of();
        }
    }

    private static String write(ObjectMapper mapper, Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a spec record could not be written", e);
        }
    }
}
