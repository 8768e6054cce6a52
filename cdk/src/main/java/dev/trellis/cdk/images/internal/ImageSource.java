package dev.trellis.cdk.images.internal;

import dev.trellis.cdk.images.BoundImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import software.amazon.awscdk.services.ecr.assets.DockerImageAsset;
import software.amazon.awscdk.services.ecs.ContainerImage;
import software.constructs.Construct;

/** A registry URI or a Docker build context, checked when it is named, bound when a construct needs it. */
public abstract class ImageSource {

    public static ImageSource registry(String factory, String uri) {
        if (uri == null || uri.isBlank() || uri.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException(factory + ": " + (uri == null ? "null" : "\"" + uri + "\"")
                    + " (expected: an image URI such as public.ecr.aws/trellis/proxy:0.1.0)");
        }
        return new Registry(uri);
    }

    /** What a repository build never needs in its context: copying it would only slow synth down. */
    private static final List<String> NOT_IN_CONTEXT =
            List.of(".git", "**/node_modules", "**/cdk.out", ".trellis", ".idea");

    public static ImageSource asset(String factory, String directory, String dockerfile) {
        if (directory == null) {
            throw new IllegalArgumentException(factory + ": null (expected: a directory holding " + dockerfile + ")");
        }
        Path context = Path.of(directory);
        if (!Files.isRegularFile(context.resolve(dockerfile))) {
            throw new IllegalArgumentException(factory + ": " + context.toAbsolutePath().normalize()
                    + " (expected: a directory holding " + dockerfile + ")");
        }
        return new Asset(context.toAbsolutePath().normalize().toString(), dockerfile);
    }

    /** Makes the image concrete under {@code scope}; an asset becomes a child named {@code id}. */
    public abstract BoundImage bind(Construct scope, String id);

    /** What the image is, for messages and tests. */
    public abstract String describe();

    private static final class Registry extends ImageSource {
        private final String uri;

        private Registry(String uri) {
            this.uri = uri;
        }

        @Override
        public BoundImage bind(Construct scope, String id) {
            return new BoundImage(ContainerImage.fromRegistry(uri), uri);
        }

        @Override
        public String describe() {
            return uri;
        }
    }

    private static final class Asset extends ImageSource {
        private final String directory;
        private final String dockerfile;

        private Asset(String directory, String dockerfile) {
            this.directory = directory;
            this.dockerfile = dockerfile;
        }

        @Override
        public BoundImage bind(Construct scope, String id) {
            DockerImageAsset asset = DockerImageAsset.Builder.create(scope, id)
                    .directory(directory)
                    .file(dockerfile)
                    .exclude(NOT_IN_CONTEXT)
                    .build();
            return new BoundImage(ContainerImage.fromDockerImageAsset(asset), asset.getImageUri());
        }

        @Override
        public String describe() {
            return directory + "/" + dockerfile;
        }
    }
}
