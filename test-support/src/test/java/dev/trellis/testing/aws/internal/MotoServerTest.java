package dev.trellis.testing.aws.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.trellis.testing.aws.AwsEmulator;
import dev.trellis.testing.aws.WithAwsEmulator;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

class MotoServerTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("GIVEN trellis.moto.command names a missing executable WHEN a @WithAwsEmulator class runs"
            + " THEN it fails saying what was tried and how to install moto, once for every class, without retrying")
    void missingMotoFailsWithInstallHint() {
        String previous = System.setProperty(MotoServer.COMMAND_PROPERTY, "/nonexistent/moto_server");
        List<Event> failures;
        try {
            failures = EngineTestKit.engine("junit-jupiter")
                    .selectors(selectClass(NeedsTheEmulator.class), selectClass(AlsoNeedsTheEmulator.class))
                    .execute()
                    .containerEvents()
                    .failed()
                    .list();
        } finally {
            if (previous == null) {
                System.clearProperty(MotoServer.COMMAND_PROPERTY);
            } else {
                System.setProperty(MotoServer.COMMAND_PROPERTY, previous);
            }
        }

        List<Throwable> causes = failures.stream()
                .map(event -> event.getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow())
                .toList();
        assertThat(causes).hasSize(2);
        assertThat(causes.get(1)).as("the failed start is remembered, not retried").isSameAs(causes.get(0));
        assertThat(causes.get(0))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageContaining("The AWS emulator (moto) could not be started. Tried:\n"
                        + "  - /nonexistent/moto_server -H 127.0.0.1 -p ")
                .hasMessageContaining("cannot run it")
                .hasMessageContaining("Install moto with: pip install 'moto[server]'")
                .hasMessageContaining("-Dtrellis.moto.command=/path/to/moto_server")
                .hasMessageContaining("moto-server.log");
    }

    @Test
    @DisplayName("GIVEN a command that exits at once WHEN moto is started THEN the message has its exit code and last output")
    void commandThatExitsIsReported() {
        List<String> exitsAtOnce = List.of("sh", "-c", "echo 'No module named moto' >&2; exit 3", "fake-moto");

        assertThatThrownBy(() -> MotoServer.start(List.of(exitsAtOnce), dir.resolve("moto.log")))
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageContaining("exited with code 3 before answering; its last output: No module named moto")
                .hasMessageContaining("pip install 'moto[server]'");
    }

    @Test
    @DisplayName("GIVEN no moto_server but python3 -m moto.server WHEN moto is started THEN the fallback answers,"
            + " logs to the file, and stops on close")
    void fallsBackToPythonModuleAndStops() throws Exception {
        Path log = dir.resolve("moto.log");
        URI probe;
        try (MotoServer moto = MotoServer.start(
                List.of(List.of("/nonexistent/moto_server"), List.of("python3", "-m", "moto.server")), log)) {
            probe = moto.endpoint().resolve("/moto-api/data.json");
            assertThat(moto.endpoint().getHost()).isEqualTo("127.0.0.1");
            assertThat(EmulatorHttp.answers(probe)).isTrue();
        }

        assertThat(EmulatorHttp.answers(probe)).isFalse();
        assertThat(Files.readString(log)).contains("starting: python3 -m moto.server -H 127.0.0.1 -p ");
    }

    @WithAwsEmulator
    static class NeedsTheEmulator {
        @Test
        void usesIt(AwsEmulator aws) {
            assertThat(aws.endpoint()).isNotNull();
        }
    }

    @WithAwsEmulator
    static class AlsoNeedsTheEmulator {
        @Test
        void usesIt(AwsEmulator aws) {
            assertThat(aws.endpoint()).isNotNull();
        }
    }
}
