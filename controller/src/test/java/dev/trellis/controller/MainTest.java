package dev.trellis.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.cloudmap.Workload;
import dev.trellis.cloudmap.registrar.CloudMapRegistrar;
import dev.trellis.controller.testing.Http;
import dev.trellis.controller.testing.TestMesh;
import dev.trellis.spec.MeshSpecs;
import dev.trellis.spec.SpecParameters;
import dev.trellis.testing.aws.AwsEmulator;
import dev.trellis.testing.aws.WithAwsEmulator;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** The controller as the process the Dockerfile starts: command line, wiring, shutdown. */
@WithAwsEmulator
class MainTest {

    private static final Pattern STARTED = Pattern.compile("event=controller\\.started port=(\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    @DisplayName("GIVEN a spec file WHEN the controller process starts in local mode THEN it serves snapshots and the registry API, and stops on SIGTERM")
    void localModeProcessServesAndStops() throws Exception {
        Path spec = dir.resolve("mesh.yaml");
        TestMesh.write(spec, TestMesh.SHOP);

        try (RunningMain main = RunningMain.start(Map.of(), "--spec-file", spec.toString(), "--host", "127.0.0.1",
                "--port", "0")) {
            assertThat(Http.get(main.uri.resolve("/ready")).statusCode()).isEqualTo(200);
            String etag = Http.get(main.uri.resolve("/v1/snapshots/frontend")).headers().firstValue("ETag").orElseThrow();
            assertThat(Http.put(main.uri.resolve("/v1/registry/orders/instances/o1"),
                    "{\"address\":\"127.0.0.1\",\"port\":18081}").statusCode()).isEqualTo(201);
            assertThat(Http.get(main.uri.resolve("/v1/snapshots/frontend"), "If-None-Match", etag, "Prefer", "wait=10")
                    .body()).contains("\"port\":18081");

            main.process.destroy();
            assertThat(main.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    @DisplayName("GIVEN the spec in SSM and an ECS cluster WHEN Main wires the controller on Cloud Map THEN it is ready, and what cloudmap-sync registers reaches its status")
    void cloudMapModeProcessReadsSsmAndCloudMap(AwsEmulator aws) throws Exception {
        aws.reset();
        SpecParameters.toParameters(MeshSpecs.parseYaml(TestMesh.SHOP)).forEach((name, value) ->
                aws.clients().ssm().putParameter(r -> r.name(name).value(value).type(ParameterType.STRING)));
        var cloudMap = aws.clients().serviceDiscovery();
        cloudMap.getOperation(r -> r.operationId(cloudMap.createHttpNamespace(n -> n.name("shop.local")).operationId()));
        aws.clients().ecs().createCluster(r -> r.clusterName("prod"));

        Main main = new Main();
        main.environment = aws.environment();
        new CommandLine(main).parseArgs("--mesh", "shop", "--registry", "cloudmap", "--ecs-cluster", "prod",
                "--cloudmap-interval", "200ms", "--host", "127.0.0.1", "--port", "0");
        try (Controller controller = main.start()) {
            assertThat(Http.get(controller.uri().resolve("/ready")).statusCode()).isEqualTo(200);
            CloudMapRegistrar.of(cloudMap).register(Workload.builder().mesh("shop").service("orders").version("v1")
                    .address("10.0.3.3").ecsTask("arn:aws:ecs:us-east-1:123456789012:task/prod/0123456789abcdef0123456789abcdef")
                    .build());

            JsonNode status = awaitStatus(controller.uri(), s -> s.at("/services/orders/versions/v1").size() == 1);
            assertThat(status.get("registry").asText()).isEqualTo("cloudmap");
            assertThat(status.at("/spec/source").asText()).isEqualTo("ssm:/trellis/shop");
            assertThat(status.at("/services/orders/versions/v1/0/address").asText()).isEqualTo("10.0.3.3");
        }
    }

    @Test
    @DisplayName("GIVEN both --spec-file and --mesh THEN the command fails with usage, exit code 2")
    void specFileAndMeshAreExclusive() {
        Result result = run("--spec-file", "a.yaml", "--mesh", "shop");

        assertThat(result.exitCode).isEqualTo(2);
        assertThat(result.err).contains("mutually exclusive").contains("Usage: trellis-controller");
    }

    @Test
    @DisplayName("GIVEN --ecs-cluster with the in-memory registry THEN the command fails saying Cloud Map is needed")
    void ecsClustersNeedCloudMap() {
        Result result = run("--spec-file", "a.yaml", "--ecs-cluster", "prod");

        assertThat(result.exitCode).isEqualTo(2);
        assertThat(result.err).contains("--ecs-cluster: [prod] with --registry memory (expected: --registry cloudmap");
    }

    @Test
    @DisplayName("GIVEN a malformed duration THEN the command fails naming the value and the form expected")
    void malformedDurationIsRefused() {
        Result result = run("--spec-file", "a.yaml", "--spec-interval", "soon");

        assertThat(result.exitCode).isEqualTo(2);
        assertThat(result.err).contains("duration: soon (expected: a number and a unit, such as 250ms, 15s, 5m or 1h)");
    }

    private record Result(int exitCode, String err) {
    }

    private static Result run(String... args) {
        StringWriter err = new StringWriter();
        int code = new CommandLine(new Main()).setErr(new PrintWriter(err)).execute(args);
        return new Result(code, err.toString());
    }

    private static JsonNode awaitStatus(URI uri, java.util.function.Predicate<JsonNode> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode status = null;
        while (System.nanoTime() < deadline) {
            status = JSON.readTree(Http.get(uri.resolve("/v1/status")).body());
            if (condition.test(status)) {
                return status;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("status never met the condition; last: " + status);
    }

    /** {@code java dev.trellis.controller.Main ...} with this test's class path, until closed. */
    private static final class RunningMain implements AutoCloseable {
        final Process process;
        final URI uri;
        final List<String> output = new ArrayList<>();

        private RunningMain(Process process, URI uri) {
            this.process = process;
            this.uri = uri;
        }

        static RunningMain start(Map<String, String> environment, String... args) throws Exception {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Main.class.getName()));
            command.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(environment);
            Process process = builder.start();
            BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<Integer> port = new CompletableFuture<>();
            List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread reader = new Thread(() -> {
                try {
                    for (String line; (line = lines.readLine()) != null; ) {
                        seen.add(line);
                        Matcher m = STARTED.matcher(line);
                        if (m.find()) {
                            port.complete(Integer.parseInt(m.group(1)));
                        }
                    }
                } catch (java.io.IOException e) {
                    // The process ended.
                }
                port.completeExceptionally(new AssertionError("the controller exited before it started: " + seen));
            });
            reader.setDaemon(true);
            reader.start();
            try {
                return new RunningMain(process, URI.create("http://127.0.0.1:" + port.get(30, TimeUnit.SECONDS)));
            } catch (Exception e) {
                process.destroyForcibly();
                throw new AssertionError("the controller did not start: " + seen, e);
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
