package dev.trellis.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trellis.naming.SsmPaths;
import dev.trellis.spec.internal.SpecJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A spec as SSM parameters (see {@link SsmPaths}) and back: what the CDK constructs write and
 * the controller reads. Services are ordered by name, whatever order the parameters come in.
 */
public final class SpecParameters {

    private SpecParameters() {
    }

    /** Parameter name to JSON value, the mesh settings first, then one per service. */
    public static Map<String, String> toParameters(MeshSpec spec) {
        Map<String, String> parameters = new LinkedHashMap<>();
        ObjectNode settings = SpecJson.json().valueToTree(spec);
        settings.remove("services");
        parameters.put(SsmPaths.meshSettings(spec.mesh()), settings.toString());
        for (ServiceSpec service : spec.services()) {
            parameters.put(SsmPaths.service(spec.mesh(), service.name()), MeshSpecs.serviceToJson(service));
        }
        return parameters;
    }

    /**
     * Reassembles and validates a spec from the parameters under {@link SsmPaths#meshRoot}.
     *
     * @throws InvalidSpecException with every problem, paths naming the parameter they came from
     */
    public static MeshSpec fromParameters(String mesh, Map<String, String> parameters) {
        String settingsJson = parameters.get(SsmPaths.meshSettings(mesh));
        if (settingsJson == null) {
            throw new InvalidSpecException(SsmPaths.meshRoot(mesh), List.of(new SpecProblem(
                    SsmPaths.meshSettings(mesh), "missing", "the mesh settings parameter")));
        }
        ObjectNode document;
        try {
            document = (ObjectNode) SpecJson.json().readTree(settingsJson);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new InvalidSpecException(SsmPaths.meshRoot(mesh), List.of(new SpecProblem(
                    SsmPaths.meshSettings(mesh), "malformed JSON", "a JSON object of mesh settings")));
        }
        List<String> serviceParameters = new ArrayList<>();
        String prefix = SsmPaths.servicesRoot(mesh) + "/";
        for (String name : parameters.keySet()) {
            if (name.startsWith(prefix)) {
                serviceParameters.add(name);
            }
        }
        serviceParameters.sort(null);
        ArrayNode services = document.putArray("services");
        List<SpecProblem> problems = new ArrayList<>();
        for (String name : serviceParameters) {
            try {
                services.add(SpecJson.json().readTree(parameters.get(name)));
            } catch (JsonProcessingException e) {
                problems.add(new SpecProblem(name, "malformed JSON", "a JSON object of one service"));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(SsmPaths.meshRoot(mesh), problems);
        }
        return MeshSpecs.parse(document.toString(), SsmPaths.meshRoot(mesh));
    }
}
