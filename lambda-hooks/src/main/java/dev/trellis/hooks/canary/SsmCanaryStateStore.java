package dev.trellis.hooks.canary;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.trellis.canary.CanaryPlan;
import dev.trellis.hooks.EventJson;
import dev.trellis.naming.SsmPaths;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * Rollout state in its own SSM parameter, {@code /trellis/<mesh>/canaries/<service>/<route>}.
 *
 * <p>Why a parameter of its own rather than tags on the spec parameter: the state is a JSON
 * document (plan, step, history with metrics) that does not fit tags' 256-character values; the
 * CDK constructs rewrite the spec parameter on every deploy and would wipe or fight over its tags;
 * and every {@code PutParameter} keeps a version, so {@code GetParameterHistory} is the audit log
 * of every decision for free. It sits beside, not under, {@code services/}, so that the controller
 * never mistakes it for a service. The history kept inside is trimmed to fit a standard
 * parameter (4 KB).
 */
public final class SsmCanaryStateStore implements CanaryStateStore {

    /** Standard-tier SSM parameters hold at most 4096 characters. */
    static final int MAX_VALUE_LENGTH = 4096;

    private final SsmClient ssm;

    private SsmCanaryStateStore(SsmClient ssm) {
        this.ssm = Objects.requireNonNull(ssm, "ssm");
    }

    public static SsmCanaryStateStore of(SsmClient ssm) {
        return new SsmCanaryStateStore(ssm);
    }

    /** Where the state of a route's rollout lives. */
    public static String parameterName(String mesh, String service, String route) {
        return SsmPaths.meshRoot(mesh) + "/canaries/" + service + "/" + route;
    }

    @Override
    public Optional<CanaryState> load(String mesh, String service, String route) {
        String name = parameterName(mesh, service, route);
        String value;
        try {
            value = ssm.getParameter(r -> r.name(name)).parameter().value();
        } catch (ParameterNotFoundException e) {
            return Optional.empty();
        }
        try {
            return Optional.of(CanaryState.fromJson(EventJson.mapper().readTree(value)));
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalStateException(name + ": unreadable canary state (expected: JSON written by the canary driver;"
                    + " delete the parameter to start over)", e);
        }
    }

    @Override
    public void save(CanaryState state) {
        CanaryPlan plan = state.plan();
        String name = parameterName(plan.mesh(), plan.service(), plan.route());
        CanaryState trimmed = state;
        String value = trimmed.toJson().toString();
        while (value.length() > MAX_VALUE_LENGTH && trimmed.history().size() > 1) {
            trimmed = new CanaryState(plan, state.status(), state.step(), state.canaryWeight(),
                    state.previousCanaryWeight(), state.stepStartedAt(), state.failedChecks(),
                    trimmed.history().subList(1, trimmed.history().size()));
            value = trimmed.toJson().toString();
        }
        String finalValue = value;
        ssm.putParameter(r -> r.name(name).value(finalValue).type(ParameterType.STRING).overwrite(true));
    }
}
