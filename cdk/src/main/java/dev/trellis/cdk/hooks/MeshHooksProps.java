package dev.trellis.cdk.hooks;

import dev.trellis.cdk.mesh.Mesh;

/**
 * Properties of {@link MeshHooks}; {@link Mesh} creates its hooks from {@code MeshProps.hooks(...)}.
 *
 * @param mesh the mesh the hooks serve
 * @param code where the three handlers' code comes from
 */
public record MeshHooksProps(Mesh mesh, LambdaHooks code) {
}
