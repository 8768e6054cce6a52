package dev.trellis.proxy.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.naming.MeshPorts;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the image promises, read from proxy-image/Dockerfile (no Docker engine here). */
class DockerfileTest {

    private final Dockerfile dockerfile = Dockerfile.read();

    @Test
    void givenTheImage_whenItRuns_thenItRunsAsTheMeshProxyUserNotRoot() {
        assertThat(dockerfile.last("USER")).isEqualTo(MeshPorts.PROXY_UID + ":" + MeshPorts.PROXY_UID);
        assertThat(dockerfile.last("RUN")).contains("--uid " + MeshPorts.PROXY_UID);
    }

    @Test
    void givenTheImage_whenInspected_thenItExposesInboundOutboundAndAdmin() {
        assertThat(Arrays.asList(dockerfile.last("EXPOSE").split("\\s+"))).containsExactlyInAnyOrder(
                String.valueOf(MeshPorts.INBOUND), String.valueOf(MeshPorts.OUTBOUND), String.valueOf(MeshPorts.ADMIN));
    }

    @Test
    void givenTheImage_whenHealthChecked_thenTheCheckAsksTheAdminPortForReady() {
        assertThat(dockerfile.last("HEALTHCHECK"))
                .contains("127.0.0.1/" + MeshPorts.ADMIN)
                .contains("GET /ready")
                .contains("' 200 '");
    }

    @Test
    void givenTheEntrypoint_whenRead_thenItIsTheJvmInExecFormOnTheShadedJar() {
        List<String> command = dockerfile.commandLine();

        assertThat(command.get(0)).isEqualTo("java");
        assertThat(command).contains("-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError")
                .containsSubsequence("-jar", "/opt/trellis/trellis-proxy.jar")
                .anyMatch(flag -> flag.startsWith("-Xmx"));
        assertThat(dockerfile.last("FROM")).startsWith("eclipse-temurin:17-jre");
    }

    @Test
    void givenTheEntrypoint_whenRead_thenNettyLeakDetectionIsOffBeforeTheJar() {
        List<String> command = dockerfile.commandLine();

        // Leaks are hunted by the tests (PARANOID); in production the sampled stack traces only cost CPU.
        assertThat(command).containsSubsequence("-Dio.netty.leakDetection.level=disabled", "-jar");
    }

    @Test
    void givenAShellFormEntrypoint_whenRead_thenTheErrorSaysWhyExecFormIsNeeded() {
        Dockerfile shellForm = Dockerfile.parse("FROM x\nENTRYPOINT java -jar app.jar\n");

        assertThatThrownBy(shellForm::entrypoint).hasMessage("ENTRYPOINT: java -jar app.jar (expected: exec form, "
                + "a JSON array, so that the JVM is PID 1 and receives SIGTERM)");
    }

    @Test
    void givenContinuationsAndComments_whenParsed_thenInstructionsAreJoinedAsDockerDoes() {
        Dockerfile parsed = Dockerfile.parse("# comment\nRUN a \\\n  && b\n# between\nUSER 1:1\n");

        assertThat(parsed.instructions()).containsExactly(
                new Dockerfile.Instruction("RUN", "a && b"), new Dockerfile.Instruction("USER", "1:1"));
    }
}
