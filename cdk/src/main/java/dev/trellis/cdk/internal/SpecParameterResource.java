package dev.trellis.cdk.internal;

import java.util.function.Supplier;
import software.amazon.awscdk.services.ssm.CfnParameter;
import software.constructs.Construct;

/**
 * One SSM parameter of the mesh spec, its JSON value computed at synth. A value over the
 * standard tier's 4 KB goes to the advanced tier (8 KB) rather than failing the deployment.
 */
public final class SpecParameterResource {

    static final int STANDARD_TIER_LIMIT = 4096;

    private SpecParameterResource() {
    }

    public static CfnParameter create(Construct scope, String id, String name, String description, Supplier<String> json) {
        return CfnParameter.Builder.create(scope, id)
                .type("String")
                .name(name)
                .description(description)
                .value(Lazies.string(json))
                .tier(Lazies.string(() -> json.get().length() > STANDARD_TIER_LIMIT ? "Advanced" : "Standard"))
                .build();
    }
}
