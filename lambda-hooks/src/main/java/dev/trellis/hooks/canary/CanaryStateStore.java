package dev.trellis.hooks.canary;

import java.util.Optional;

/** Where a rollout's {@link CanaryState} lives between invocations. */
public interface CanaryStateStore {

    Optional<CanaryState> load(String mesh, String service, String route);

    void save(CanaryState state);
}
