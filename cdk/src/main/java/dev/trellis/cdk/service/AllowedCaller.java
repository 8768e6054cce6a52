package dev.trellis.cdk.service;

import dev.trellis.spec.CallerRule;
import java.util.List;

/**
 * A mesh service allowed to call another, over {@link CallerRule}.
 *
 * <pre>{@code AllowedCaller.service("orders").paths("/payments").methods("POST", "GET")}</pre>
 */
public final class AllowedCaller {

    private final CallerRule spec;

    private AllowedCaller(CallerRule spec) {
        this.spec = spec;
    }

    /** The service may call on every path with every method. */
    public static AllowedCaller service(String service) {
        return new AllowedCaller(CallerRule.of(service));
    }

    /** The same caller, only on these path prefixes. */
    public AllowedCaller paths(String... paths) {
        return new AllowedCaller(new CallerRule(spec.service(), List.of(paths), spec.methods()));
    }

    /** The same caller, only with these HTTP methods. */
    public AllowedCaller methods(String... methods) {
        return new AllowedCaller(new CallerRule(spec.service(), spec.paths(), List.of(methods)));
    }

    public CallerRule toSpec() {
        return spec;
    }
}
