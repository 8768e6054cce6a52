package dev.trellis.testing.aws;

import dev.trellis.aws.AwsClients;
import dev.trellis.testing.aws.internal.EmulatorHttp;
import dev.trellis.testing.aws.internal.RunningEmulator;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * A running AWS API emulator (moto, or LocalStack) shared by every test in the JVM, injected by
 * {@link AwsEmulatorExtension} into test methods, constructors and lifecycle methods.
 *
 * <p>Use {@link #clients()} for SDK clients already pointed at the emulator, or {@link #endpoint()},
 * {@link #region()} and {@link #credentialsProvider()} (or {@link #environment()} for a
 * subprocess) to configure the code under test. The emulator's state is wiped before each test
 * class; call {@link #reset()} to wipe it between tests of one class.
 *
 * <p>Do not close {@link #clients()}: the extension closes them, and stops the emulator, when the
 * test run ends.
 */
public final class AwsEmulator {

    /** Which emulator answers. */
    public enum Backend {
        /** The moto server, a local subprocess. */
        MOTO,
        /** LocalStack in a Docker container through Testcontainers. */
        LOCALSTACK
    }

    /** The region every client uses against the emulator. */
    public static final String REGION = "us-east-1";
    /** The dummy access key id (and secret key) the emulator accepts. */
    public static final String ACCESS_KEY = "test";

    private static final String ECS_TASK_MODEL = "ecs::task";

    private final Backend backend;
    private final RunningEmulator server;
    private final AwsCredentialsProvider credentialsProvider =
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, ACCESS_KEY));
    private final AwsClients clients;
    /** moto state-manager models whose transition a test changed; undone by {@link #reset()}. */
    private final Set<String> changedTransitions = ConcurrentHashMap.newKeySet();

    AwsEmulator(Backend backend, RunningEmulator server) {
        this.backend = backend;
        this.server = server;
        this.clients = AwsClients.builder()
                .region(REGION)
                .credentialsProvider(credentialsProvider)
                .endpointOverride(server.endpoint())
                .build();
    }

    /** Which emulator this is. */
    public Backend backend() {
        return backend;
    }

    /** The emulator's base URI on loopback, such as {@code http://127.0.0.1:41234}. */
    public URI endpoint() {
        return server.endpoint();
    }

    /** Always {@value #REGION}. */
    public String region() {
        return REGION;
    }

    /** Static dummy credentials the emulator accepts. */
    public AwsCredentialsProvider credentialsProvider() {
        return credentialsProvider;
    }

    /** Every Trellis AWS client, pointed at the emulator; shared, so do not close it. */
    public AwsClients clients() {
        return clients;
    }

    /**
     * The environment variables that point a process (or {@link AwsClients#fromEnvironment(Map)})
     * at this emulator: {@code AWS_ENDPOINT_URL}, {@code AWS_REGION}, {@code AWS_ACCESS_KEY_ID},
     * {@code AWS_SECRET_ACCESS_KEY}.
     */
    public Map<String, String> environment() {
        return Map.of(
                AwsClients.ENV_ENDPOINT_URL, endpoint().toString(),
                AwsClients.ENV_REGION, REGION,
                AwsClients.ENV_ACCESS_KEY_ID, ACCESS_KEY,
                AwsClients.ENV_SECRET_ACCESS_KEY, ACCESS_KEY);
    }

    /**
     * Wipes every resource in the emulator, and undoes transitions set through this object. The
     * extension calls it before each test class.
     */
    public void reset() {
        if (backend == Backend.LOCALSTACK) {
            EmulatorHttp.post(endpoint(), "/_localstack/state/reset", "");
            return;
        }
        EmulatorHttp.post(endpoint(), "/moto-api/reset", "");
        for (String model : changedTransitions) {
            EmulatorHttp.post(endpoint(), "/moto-api/state-manager/unset-transition",
                    "{\"model_name\":\"" + model + "\"}");
            changedTransitions.remove(model);
        }
    }

    /**
     * Sets moto's ECS task transition to {@code manual} with {@code times: 1}: a task moves one
     * lifecycle step (RUNNING, DEACTIVATING, STOPPING, DEPROVISIONING, STOPPED) per
     * {@code DescribeTasks} that shows it. This is moto 5's default, made explicit so a test
     * does not depend on the installed moto's default; to keep tasks RUNNING for longer use
     * {@link #setEcsTaskTransitionManual(int)}. Undone by {@link #reset()}.
     *
     * @throws IllegalStateException on LocalStack, which has no such control
     */
    public void setEcsTaskTransitionManual() {
        setEcsTaskTransitionManual(1);
    }

    /**
     * Sets moto's ECS task transition to {@code manual}: a task moves one lifecycle step after
     * {@code describesPerStep} {@code DescribeTasks} calls have shown it. Posts
     * {@code {"model_name":"ecs::task","transition":{"progression":"manual","times":N}}} to
     * {@code /moto-api/state-manager/set-transition}. Undone by {@link #reset()}.
     *
     * @throws IllegalArgumentException if {@code describesPerStep} is below 1
     * @throws IllegalStateException on LocalStack, which has no such control
     */
    public void setEcsTaskTransitionManual(int describesPerStep) {
        if (describesPerStep < 1) {
            throw new IllegalArgumentException("describesPerStep: " + describesPerStep + " (expected: 1 or more)");
        }
        if (backend != Backend.MOTO) {
            throw new IllegalStateException("setEcsTaskTransitionManual needs moto's state manager (backend: "
                    + backend + "); run this test with moto (unset TRELLIS_AWS_EMULATOR)");
        }
        changedTransitions.add(ECS_TASK_MODEL);
        EmulatorHttp.post(endpoint(), "/moto-api/state-manager/set-transition",
                "{\"model_name\":\"" + ECS_TASK_MODEL + "\",\"transition\":{\"progression\":\"manual\",\"times\":"
                        + describesPerStep + "}}");
    }

    @Override
    public String toString() {
        return "AwsEmulator{" + server + "}";
    }

    /** Closes the clients, then stops the emulator. */
    void shutdown() {
        try {
            clients.close();
        } finally {
            server.close();
        }
    }
}
