package dev.trellis.cdk.example;

import software.amazon.awscdk.StackProps;

/**
 * What the shop stack takes from its app.
 *
 * @param stackProps the stack's own properties (environment, description)
 * @param imageRegistry where the proxy, controller and shop images are pulled from, e.g. {@code public.ecr.aws/trellis}
 * @param imageTag the tag of every image
 * @param hooksJar the lambda-hooks deployment jar, or null to deploy the mesh without its hooks
 */
public record ShopStackProps(StackProps stackProps, String imageRegistry, String imageTag, String hooksJar) {
}
