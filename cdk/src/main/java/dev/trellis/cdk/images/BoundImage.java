package dev.trellis.cdk.images;

import software.amazon.awscdk.services.ecs.ContainerImage;

/**
 * An image made concrete in a stack: as ECS wants it, and as a URI for Kubernetes manifests
 * (a token for an asset, resolved at deploy time).
 *
 * @param containerImage for ECS container definitions
 * @param imageUri for Kubernetes manifests and environment variables
 */
public record BoundImage(ContainerImage containerImage, String imageUri) {
}
