package dev.trellis.testing.aws;

import dev.trellis.testing.aws.internal.LocalStackServer;
import dev.trellis.testing.aws.internal.MotoServer;
import java.util.Map;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that gives tests an AWS API emulator: {@code @ExtendWith(AwsEmulatorExtension.class)},
 * or better {@link WithAwsEmulator @WithAwsEmulator}.
 *
 * <ul>
 *   <li>Starts the emulator once per JVM, on first use, and stops it when the test run ends (it
 *       lives in the root {@link ExtensionContext.Store}).</li>
 *   <li>The emulator is the moto server: {@code moto_server} from PATH, else
 *       {@code python3 -m moto.server}, or the command in the system property
 *       {@code trellis.moto.command}; on 127.0.0.1 and a free port, its output appended to
 *       {@code target/moto-server.log}. Without moto the test fails with how to install it
 *       ({@code pip install 'moto[server]'}).</li>
 *   <li>LocalStack through Testcontainers instead, where the environment has
 *       {@code TRELLIS_AWS_EMULATOR=localstack} and {@code LOCALSTACK_AUTH_TOKEN} and Docker
 *       answers; with {@code TRELLIS_AWS_EMULATOR=localstack} but no token or no Docker, a warning
 *       is logged and moto is used.</li>
 *   <li>If the emulator cannot be started, every class that uses it fails with the same message;
 *       the start is not retried.</li>
 *   <li>Wipes the emulator's state once before each top-level test class (nested classes share
 *       their outer class's state).</li>
 *   <li>Resolves parameters of type {@link AwsEmulator} in constructors, test and lifecycle methods.</li>
 * </ul>
 */
public final class AwsEmulatorExtension implements BeforeAllCallback, ParameterResolver {

    /** Environment variable choosing the backend: {@code localstack}, or anything else for moto. */
    public static final String BACKEND_ENV = "TRELLIS_AWS_EMULATOR";
    /** Environment variable holding the LocalStack auth token. */
    public static final String LOCALSTACK_TOKEN_ENV = "LOCALSTACK_AUTH_TOKEN";

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(AwsEmulatorExtension.class);
    private static final System.Logger LOG = System.getLogger(AwsEmulatorExtension.class.getName());

    @Override
    public void beforeAll(ExtensionContext context) {
        emulatorFor(context);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == AwsEmulator.class;
    }

    @Override
    public AwsEmulator resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return emulatorFor(extensionContext);
    }

    /**
     * The JVM's emulator, started on first use, and reset once for the top-level test class that
     * {@code context} belongs to. Constructor injection under {@code PER_CLASS} can come before
     * {@code beforeAll}, so both paths go through here and the first one resets.
     */
    private static AwsEmulator emulatorFor(ExtensionContext context) {
        AwsEmulator emulator = context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(Session.class, key -> Session.start(System.getenv()), Session.class)
                .emulatorOrThrow();
        topLevelClassContext(context).getStore(NAMESPACE)
                .getOrComputeIfAbsent("reset", key -> {
                    emulator.reset();
                    return Boolean.TRUE;
                });
        return emulator;
    }

    private static ExtensionContext topLevelClassContext(ExtensionContext context) {
        ExtensionContext current = context;
        while (current.getParent().isPresent() && current.getParent().get() != current.getRoot()) {
            current = current.getParent().get();
        }
        return current;
    }

    private static AwsEmulator startEmulator(Map<String, String> environment) {
        if ("localstack".equalsIgnoreCase(environment.getOrDefault(BACKEND_ENV, "").strip())) {
            String token = environment.getOrDefault(LOCALSTACK_TOKEN_ENV, "").strip();
            if (token.isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, BACKEND_ENV + "=localstack but " + LOCALSTACK_TOKEN_ENV
                        + " is not set (LocalStack needs it): using moto");
            } else if (!LocalStackServer.dockerAvailable()) {
                LOG.log(System.Logger.Level.WARNING, BACKEND_ENV + "=localstack but Docker does not answer: using moto");
            } else {
                return new AwsEmulator(AwsEmulator.Backend.LOCALSTACK, LocalStackServer.start(token));
            }
        }
        return new AwsEmulator(AwsEmulator.Backend.MOTO, MotoServer.start());
    }

    /**
     * The root-store entry, closed by JUnit when the whole test run ends. A failed start is kept
     * too, so that each later class fails at once with the same message instead of trying again.
     */
    private record Session(AwsEmulator emulator, RuntimeException startFailure) implements AutoCloseable {

        static Session start(Map<String, String> environment) {
            try {
                return new Session(startEmulator(environment), null);
            } catch (RuntimeException e) {
                return new Session(null, e);
            }
        }

        AwsEmulator emulatorOrThrow() {
            if (startFailure != null) {
                throw startFailure;
            }
            return emulator;
        }

        @Override
        public void close() {
            if (emulator != null) {
                emulator.shutdown();
            }
        }
    }
}
