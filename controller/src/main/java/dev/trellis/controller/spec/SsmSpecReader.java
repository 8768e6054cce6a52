package dev.trellis.controller.spec;

import dev.trellis.naming.SsmPaths;
import dev.trellis.spec.MeshSpec;
import dev.trellis.spec.SpecParameters;
import java.util.Map;
import java.util.Objects;

/**
 * The spec as SSM parameters ({@link SsmPaths}): one for the mesh settings, one per service,
 * reassembled by {@link SpecParameters#fromParameters}.
 */
public final class SsmSpecReader implements SpecReader<Map<String, String>> {

    private final String mesh;
    private final ParameterStore store;

    public SsmSpecReader(String mesh, ParameterStore store) {
        this.mesh = Objects.requireNonNull(mesh, "mesh");
        this.store = Objects.requireNonNull(store, "store");
    }

    @Override
    public String source() {
        return "ssm:" + SsmPaths.meshRoot(mesh);
    }

    @Override
    public Map<String, String> fetch() {
        return store.parametersUnder(SsmPaths.meshRoot(mesh));
    }

    @Override
    public MeshSpec parse(Map<String, String> raw) {
        return SpecParameters.fromParameters(mesh, raw);
    }
}
