package dev.trellis.testing.aws;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Runs the annotated test class with {@link AwsEmulatorExtension}: an {@link AwsEmulator}
 * parameter is injected wherever a test asks for one, and the emulator's state is wiped before
 * the class runs.
 *
 * <p>The emulator is one process shared by the JVM, so classes that use it hold the
 * {@value #RESOURCE_LOCK} lock and never run in parallel with each other (when JUnit's parallel
 * execution is on); their tests run one after another within a class, too.
 *
 * <pre>{@code
 * @WithAwsEmulator
 * class RegistrarTest {
 *     @Test
 *     void registers(AwsEmulator aws) {
 *         aws.clients().serviceDiscovery().createHttpNamespace(r -> r.name("mesh.local"));
 *     }
 * }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(AwsEmulatorExtension.class)
@ResourceLock(WithAwsEmulator.RESOURCE_LOCK)
public @interface WithAwsEmulator {

    /** The JUnit resource lock that serializes every class using the shared emulator. */
    String RESOURCE_LOCK = "dev.trellis.testing.aws.AwsEmulator";
}
