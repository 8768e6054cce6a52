package dev.trellis.cdk.hooks;

import dev.trellis.cdk.mesh.Mesh;
import software.amazon.awscdk.Duration;

/**
 * Properties of {@link MeshHooks}; {@link Mesh} creates its hooks from {@code MeshProps.hooks(...)}.
 *
 * @param mesh the mesh the hooks serve
 * @param code where the three handlers' code comes from
 * @param canaryInterval how often the canary hook runs
 */
public record MeshHooksProps(Mesh mesh, LambdaHooks code, Duration canaryInterval) {
}
