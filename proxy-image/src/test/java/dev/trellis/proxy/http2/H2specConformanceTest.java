package dev.trellis.proxy.http2;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.ProxyServer;
import dev.trellis.proxy.fixtures.Mesh;
import dev.trellis.proxy.fixtures.UpstreamServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole of h2spec (v2.2.1, 145 cases: RFC 7540 and HPACK) against both h2c listeners, run
 * as the benchmark runs it. h2spec is a Go program that {@code proxy-image/setup.sh} installs;
 * without it this test fails, saying so, rather than passing by skipping.
 */
@DisplayName("h2spec against the h2c listeners: every case passes")
class H2specConformanceTest {

    private static final Pattern SUMMARY = Pattern.compile("(\\d+) tests, (\\d+) passed, (\\d+) skipped, (\\d+) failed");

    static UpstreamServer app;
    static ProxyServer proxy;

    @BeforeAll
    static void start() throws Exception {
        app = UpstreamServer.http1("app", r -> UpstreamServer.ok("x".repeat(1024)));
        proxy = Mesh.start(Mesh.spec("").snapshotWithApp(app.port()));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        app.close();
    }

    @ParameterizedTest(name = "{0} listener")
    @ValueSource(strings = {"inbound", "outbound"})
    @DisplayName("GIVEN a listener's h2c port WHEN h2spec runs all its cases THEN none fails")
    void allCasesPass(String listener) throws Exception {
        int port = listener.equals("inbound") ? proxy.inboundPort() : proxy.outboundPort();
        Process h2spec = new ProcessBuilder(h2spec().toString(), "-h", "127.0.0.1", "-p", String.valueOf(port),
                "-P", "/echo?size=1024", "-o", "2").redirectErrorStream(true).start();
        String output;
        try {
            output = new String(h2spec.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(h2spec.waitFor(120, TimeUnit.SECONDS)).as("h2spec finished within 120 s").isTrue();
        } finally {
            h2spec.destroyForcibly();
        }

        Matcher summary = SUMMARY.matcher(output);
        assertThat(summary.find()).as("h2spec output: %s (expected: a summary line)", output).isTrue();
        int tests = Integer.parseInt(summary.group(1));
        assertThat(summary.group(4)).as("h2spec failures: %s", failures(output)).isEqualTo("0");
        assertThat(Integer.parseInt(summary.group(2))).as("passed of %d", tests).isEqualTo(tests).isEqualTo(145);
    }

    private static String failures(String output) {
        int start = output.indexOf("Failures:");
        return start < 0 ? output : output.substring(start);
    }

    /** h2spec on PATH, else where {@code go install} puts it. */
    private static Path h2spec() {
        List<Path> candidates = new ArrayList<>();
        Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .filter(dir -> !dir.isBlank()).forEach(dir -> candidates.add(Path.of(dir, "h2spec")));
        if (System.getenv("GOBIN") != null) {
            candidates.add(Path.of(System.getenv("GOBIN"), "h2spec"));
        }
        if (System.getenv("GOPATH") != null) {
            candidates.add(Path.of(System.getenv("GOPATH"), "bin", "h2spec"));
        }
        candidates.add(Path.of(System.getProperty("user.home"), "go", "bin", "h2spec"));
        return candidates.stream().filter(Files::isExecutable).findFirst().orElseThrow(() -> new AssertionError(
                "h2spec: not found on PATH, in $GOBIN, $GOPATH/bin or ~/go/bin (expected: installed by proxy-image/setup.sh,"
                        + " that is go install github.com/summerwind/h2spec/cmd/h2spec@v2.2.1+incompatible)"));
    }
}
