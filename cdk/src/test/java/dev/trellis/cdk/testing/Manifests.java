package dev.trellis.cdk.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.assertions.Template;

/**
 * The Kubernetes objects a template applies, parsed back from the EKS manifest resources. A
 * manifest that holds CloudFormation values is an {@code Fn::Join}; each value becomes
 * {@value #TOKEN} so that the rest parses as JSON.
 */
public final class Manifests {

    public static final String TOKEN = "<token>";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Manifests() {
    }

    public static List<JsonNode> of(Template template) {
        List<JsonNode> objects = new ArrayList<>();
        for (Map<String, Object> resource : template.findResources("Custom::AWSCDK-EKS-KubernetesResource").values()) {
            Object manifest = ((Map<?, ?>) resource.get("Properties")).get("Manifest");
            try {
                JSON.readTree(text(manifest)).forEach(objects::add);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("manifest is not JSON: " + manifest, e);
            }
        }
        return objects;
    }

    public static JsonNode kind(List<JsonNode> objects, String kind) {
        return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " among " + objects.size() + " objects"));
    }

    private static String text(Object manifest) {
        if (manifest instanceof String s) {
            return s;
        }
        List<?> join = (List<?>) ((Map<?, ?>) manifest).get("Fn::Join");
        StringBuilder text = new StringBuilder();
        for (Object part : (List<?>) join.get(1)) {
            text.append(part instanceof String s ? s : TOKEN);
        }
        return text.toString();
    }
}
