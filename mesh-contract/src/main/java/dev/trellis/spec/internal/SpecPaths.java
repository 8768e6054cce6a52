package dev.trellis.spec.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonNodePath;

/**
 * Paths into a spec as people read them: {@code services[orders].routes[0].retry.attempts}.
 * A service is named by its name where it has one, by its index otherwise.
 */
public final class SpecPaths {

    private SpecPaths() {
    }

    static String render(JsonNode document, JsonNodePath location) {
        StringBuilder path = new StringBuilder();
        JsonNode node = document;
        String parentName = null;
        for (int i = 0; i < location.getNameCount(); i++) {
            Object element = location.getElement(i);
            if (element instanceof Integer index) {
                JsonNode item = node.path(index);
                JsonNode name = item.path("name");
                boolean named = "services".equals(parentName) && i == 1 && name.isTextual() && !name.asText().isEmpty();
                path.append('[').append(named ? name.asText() : index.toString()).append(']');
                node = item;
            } else {
                String field = (String) element;
                path.append(path.length() == 0 ? "" : ".").append(field);
                node = node.path(field);
                parentName = field;
            }
        }
        return path.length() == 0 ? "(document)" : path.toString();
    }

    public static String child(String path, String field) {
        return "(document)".equals(path) ? field : path + "." + field;
    }

    public static String service(String name, int index) {
        return "services[" + (name != null && !name.isEmpty() ? name : Integer.toString(index)) + "]";
    }
}
