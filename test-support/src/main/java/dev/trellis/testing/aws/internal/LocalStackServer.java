package dev.trellis.testing.aws.internal;

import java.net.URI;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * LocalStack in a container through Testcontainers: the optional second backend, used only where
 * Docker runs and a LocalStack auth token exists (since March 2026 LocalStack is one image that
 * needs a token; Cloud Map, ECS and EKS need a paid plan). Every Testcontainers class is touched
 * only from here, so the moto path never loads them.
 */
public final class LocalStackServer implements RunningEmulator {

    /** System property naming the image; the default is {@value #DEFAULT_IMAGE}. */
    public static final String IMAGE_PROPERTY = "trellis.localstack.image";
    /** LocalStack's image; it needs {@code LOCALSTACK_AUTH_TOKEN}. */
    public static final String DEFAULT_IMAGE = "localstack/localstack:latest";

    private final LocalStackContainer container;

    private LocalStackServer(LocalStackContainer container) {
        this.container = container;
    }

    /** Whether a Docker engine answers (Testcontainers' own check). */
    public static boolean dockerAvailable() {
        return DockerClientFactory.instance().isDockerAvailable();
    }

    /** Starts a LocalStack container with the given auth token and waits until it is ready. */
    @SuppressWarnings("resource") // closed by close()
    public static LocalStackServer start(String authToken) {
        DockerImageName image = DockerImageName.parse(System.getProperty(IMAGE_PROPERTY, DEFAULT_IMAGE))
                .asCompatibleSubstituteFor("localstack/localstack"); // lets a mirror or pinned name through
        LocalStackContainer container = new LocalStackContainer(image)
                .withEnv("LOCALSTACK_AUTH_TOKEN", authToken);
        container.start();
        return new LocalStackServer(container);
    }

    @Override
    public URI endpoint() {
        return container.getEndpoint();
    }

    @Override
    public void close() {
        container.stop();
    }

    @Override
    public String toString() {
        return "LocalStack " + container.getDockerImageName() + " at " + endpoint();
    }
}
