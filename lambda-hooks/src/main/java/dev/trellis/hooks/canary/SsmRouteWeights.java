package dev.trellis.hooks.canary;

import dev.trellis.canary.CanaryPlan;
import dev.trellis.naming.SsmPaths;
import dev.trellis.spec.MeshSpecs;
import dev.trellis.spec.RouteSpec;
import dev.trellis.spec.ServiceSpec;
import dev.trellis.spec.SpecParameters;
import dev.trellis.spec.WeightedTarget;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterTier;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * Route weights in the service's spec parameter ({@link SsmPaths#service}), where the CDK
 * constructs put them and the controller reads them.
 *
 * <p>Before writing, the whole mesh is reassembled from its parameters with the changed service
 * in place and validated by {@link SpecParameters#fromParameters}, exactly as the controller will
 * read it: an invalid spec is never written.
 */
public final class SsmRouteWeights implements RouteWeights {

    private final SsmClient ssm;

    private SsmRouteWeights(SsmClient ssm) {
        this.ssm = Objects.requireNonNull(ssm, "ssm");
    }

    public static SsmRouteWeights of(SsmClient ssm) {
        return new SsmRouteWeights(ssm);
    }

    @Override
    public List<WeightedTarget> current(CanaryPlan plan) {
        return route(readService(plan), plan).targets();
    }

    @Override
    public void write(CanaryPlan plan, int canaryWeight) {
        String name = SsmPaths.service(plan.mesh(), plan.service());
        ServiceSpec service = readService(plan);
        RouteSpec route = route(service, plan);
        List<WeightedTarget> targets = TargetWeights.shifted(route.targets(), routePath(plan),
                plan.baseline(), plan.canary(), canaryWeight);
        List<RouteSpec> routes = service.routes().stream()
                .map(r -> r.name().equals(route.name()) ? withTargets(r, targets) : r)
                .collect(Collectors.toList());
        String updated = MeshSpecs.serviceToJson(service.withRoutes(routes));

        Map<String, String> mesh = meshParameters(plan.mesh());
        mesh.put(name, updated);
        SpecParameters.fromParameters(plan.mesh(), mesh); // throws InvalidSpecException; nothing written
        // Intelligent-Tiering: a service spec that outgrows 4 KB (or is already Advanced) is still written.
        ssm.putParameter(r -> r.name(name).value(updated).type(ParameterType.STRING)
                .tier(ParameterTier.INTELLIGENT_TIERING).overwrite(true));
    }

    private ServiceSpec readService(CanaryPlan plan) {
        String name = SsmPaths.service(plan.mesh(), plan.service());
        String json;
        try {
            json = ssm.getParameter(r -> r.name(name)).parameter().value();
        } catch (ParameterNotFoundException e) {
            throw new IllegalStateException("service: " + plan.service() + " (expected: a service of mesh "
                    + plan.mesh() + ", with its spec in SSM parameter " + name + ")", e);
        }
        return MeshSpecs.serviceFromJson(json, name);
    }

    private static RouteSpec route(ServiceSpec service, CanaryPlan plan) {
        return service.route(plan.route()).orElseThrow(() -> new IllegalStateException("route: " + plan.route()
                + " (expected: a route of " + plan.service() + ": "
                + (service.routes().isEmpty() ? "it declares none" : service.routes().stream()
                        .map(RouteSpec::name).collect(Collectors.joining(", "))) + ")"));
    }

    private Map<String, String> meshParameters(String mesh) {
        Map<String, String> parameters = new HashMap<>();
        ssm.getParametersByPathPaginator(r -> r.path(SsmPaths.meshRoot(mesh)).recursive(true))
                .forEach(page -> page.parameters().forEach(p -> parameters.put(p.name(), p.value())));
        return parameters;
    }

    private static RouteSpec withTargets(RouteSpec r, List<WeightedTarget> targets) {
        return new RouteSpec(r.name(), r.priority(), r.match(), new ArrayList<>(targets), r.timeouts(), r.retry(),
                r.hostRewrite(), r.fault(), r.mirror());
    }

    static String routePath(CanaryPlan plan) {
        return "services[" + plan.service() + "].routes[" + plan.route() + "]";
    }
}
