package dev.trellis.cdk.images;

import dev.trellis.cdk.images.internal.ImageSource;
import java.nio.file.Path;
import software.constructs.Construct;

/**
 * The image of the Trellis sidecar proxy: from a registry, or built from the repository where Docker is at hand.
 *
 * <pre>{@code
 * ProxyImage.fromRegistry("public.ecr.aws/trellis/proxy:0.1.0");
 * ProxyImage.fromRepository(Path.of("."));   // docker build proxy-image
 * }</pre>
 */
public final class ProxyImage {

    /** Where the repository keeps this image's build context (its Dockerfile and the jar it copies). */
    public static final String REPOSITORY_DIRECTORY = "proxy-image";

    private final ImageSource source;

    private ProxyImage(ImageSource source) {
        this.source = source;
    }

    /** An image already pushed to a registry the tasks and nodes can pull from; synth needs no Docker. */
    public static ProxyImage fromRegistry(String uri) {
        return new ProxyImage(ImageSource.registry("ProxyImage.fromRegistry", uri));
    }

    /** A Docker build of {@code directory}/Dockerfile, pushed as a CDK asset at deploy time. */
    public static ProxyImage fromAsset(String directory) {
        return new ProxyImage(ImageSource.asset("ProxyImage.fromAsset", directory, "Dockerfile"));
    }

    /**
     * A Docker build of the repository's {@value #REPOSITORY_DIRECTORY}/Dockerfile in that
     * directory, as its Dockerfile expects: build the module's jar first ({@code mvn package}).
     */
    public static ProxyImage fromRepository(Path repositoryRoot) {
        return new ProxyImage(ImageSource.asset("ProxyImage.fromRepository",
                repositoryRoot == null ? null : repositoryRoot.resolve(REPOSITORY_DIRECTORY).toString(), "Dockerfile"));
    }

    /** Makes the image concrete under {@code scope}; an asset becomes a child named {@code id}. */
    public BoundImage bind(Construct scope, String id) {
        return source.bind(scope, id);
    }

    @Override
    public String toString() {
        return "ProxyImage(" + source.describe() + ")";
    }
}
