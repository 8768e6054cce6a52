package dev.trellis.e2e.support;

import dev.trellis.naming.SsmPaths;
import dev.trellis.spec.MeshSpec;
import dev.trellis.spec.SpecParameters;
import java.util.Map;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** Writes a mesh spec to SSM as the CDK constructs do: {@link SpecParameters#toParameters}, one PutParameter each. */
public final class MeshInSsm {

    private final SsmClient ssm;

    public MeshInSsm(SsmClient ssm) {
        this.ssm = ssm;
    }

    /** Puts every parameter of the spec, overwriting. */
    public void put(MeshSpec spec) {
        SpecParameters.toParameters(spec).forEach(this::putParameter);
    }

    /** Overwrites one service's parameter with this JSON, valid or not, as an operator's edit would. */
    public void putServiceJson(String mesh, String service, String json) {
        putParameter(SsmPaths.service(mesh, service), json);
    }

    /** The JSON of one service's parameter, as the spec would be written. */
    public static String serviceJson(MeshSpec spec, String service) {
        Map<String, String> parameters = SpecParameters.toParameters(spec);
        String json = parameters.get(SsmPaths.service(spec.mesh(), service));
        if (json == null) {
            throw new IllegalArgumentException("service: " + service + " (expected: one of " + spec.services() + ")");
        }
        return json;
    }

    private void putParameter(String name, String value) {
        ssm.putParameter(r -> r.name(name).value(value).type(ParameterType.STRING).overwrite(true));
    }
}
