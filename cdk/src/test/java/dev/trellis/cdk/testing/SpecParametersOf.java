package dev.trellis.cdk.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/** The SSM parameters a template declares, name to value, as the controller would read them. */
public final class SpecParametersOf {

    private SpecParametersOf() {
    }

    /** From a template as JSON (a synthesized file, or {@code Template.toJSON()}). */
    public static Map<String, String> template(Map<String, Object> template) {
        Map<String, String> parameters = new LinkedHashMap<>();
        Map<?, ?> resources = (Map<?, ?>) template.get("Resources");
        for (Object value : resources.values()) {
            Map<?, ?> resource = (Map<?, ?>) value;
            if ("AWS::SSM::Parameter".equals(resource.get("Type"))) {
                Map<?, ?> properties = (Map<?, ?>) resource.get("Properties");
                Object parameterValue = properties.get("Value");
                if (!(parameterValue instanceof String)) {
                    throw new AssertionError("parameter " + properties.get("Name") + ": " + parameterValue
                            + " (expected: a literal JSON string the controller can read)");
                }
                parameters.put((String) properties.get("Name"), (String) parameterValue);
            }
        }
        return parameters;
    }
}
