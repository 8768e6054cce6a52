package dev.trellis.cdk.controller;

import dev.trellis.cdk.mesh.Mesh;

/**
 * Properties of an {@link EcsController}: the mesh it serves and how it runs. {@link Mesh}
 * creates its controller from {@code MeshProps.controller(options)}.
 */
public record EcsControllerProps(Mesh mesh, EcsControllerOptions options) {

    public static EcsControllerProps of(Mesh mesh, EcsControllerOptions options) {
        return new EcsControllerProps(mesh, options);
    }
}
