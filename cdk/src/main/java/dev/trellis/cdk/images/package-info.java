/** Where the proxy and controller images come from: a registry URI, or a Docker build of the repository as a CDK asset. */
package dev.trellis.cdk.images;
