package dev.trellis.controller.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.controller.Controller;
import dev.trellis.controller.registry.Registry;
import dev.trellis.controller.spec.FileSpecReader;
import dev.trellis.controller.testing.Http;
import dev.trellis.controller.testing.TestMesh;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The controller's admin endpoints: {@code /live}, {@code /ready}, {@code /metrics}, {@code /v1/status}. */
class StatusEndpointsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Path spec;
    private Controller controller;

    @BeforeEach
    void start() throws Exception {
        spec = dir.resolve("mesh.yaml");
        TestMesh.write(spec, TestMesh.SHOP);
        controller = Controller.builder(new FileSpecReader(spec), Registry.inMemory())
                .host("127.0.0.1").port(0).specInterval(Duration.ofMillis(50)).debounce(Duration.ofMillis(5)).start();
    }

    @AfterEach
    void stop() {
        controller.close();
    }

    @Test
    @DisplayName("GIVEN a controller with a valid spec THEN /live and /ready answer 200")
    void liveAndReady() {
        assertThat(Http.get(controller.uri().resolve("/live")).statusCode()).isEqualTo(200);
        assertThat(Http.get(controller.uri().resolve("/ready")).statusCode()).isEqualTo(200);
    }

    @Test
    @DisplayName("GIVEN a controller whose spec file is invalid from the start THEN /ready and snapshots answer 503 while /live answers 200")
    void notReadyWithoutAValidSpec() throws Exception {
        Path broken = dir.resolve("broken.yaml");
        TestMesh.write(broken, TestMesh.shopWithInvalidPort());
        try (Controller unready = Controller.builder(new FileSpecReader(broken), Registry.inMemory())
                .host("127.0.0.1").port(0).start()) {
            assertThat(Http.get(unready.uri().resolve("/live")).statusCode()).isEqualTo(200);
            HttpResponse<String> ready = Http.get(unready.uri().resolve("/ready"));
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(Http.get(unready.uri().resolve("/v1/snapshots/orders")).statusCode()).isEqualTo(503);
            JsonNode status = JSON.readTree(Http.get(unready.uri().resolve("/v1/status")).body());
            assertThat(status.get("ready").booleanValue()).isFalse();
            assertThat(status.at("/spec/rejected/problems/0").asText()).contains("port: 0");
        }
    }

    @Test
    @DisplayName("GIVEN a registered instance and a proxy that fetched its snapshot WHEN status is read THEN it shows the mesh, spec, endpoints by version, and the proxy's version")
    void statusDocumentsMeshServicesAndProxies() throws Exception {
        Http.put(controller.uri().resolve("/v1/registry/orders/instances/orders-1"),
                "{\"address\":\"127.0.0.1\",\"port\":18081,\"version\":\"v2\",\"zone\":\"local\"}");
        awaitGeneration(2);
        HttpResponse<String> fetched = Http.get(controller.uri().resolve("/v1/snapshots/frontend"),
                "X-Trellis-Proxy", "frontend-1");
        String version = fetched.headers().firstValue("ETag").orElseThrow().replace("\"", "");

        JsonNode status = JSON.readTree(Http.get(controller.uri().resolve("/v1/status")).body());

        assertThat(status.get("mesh").asText()).isEqualTo("shop");
        assertThat(status.get("ready").booleanValue()).isTrue();
        assertThat(status.get("registry").asText()).isEqualTo("memory");
        assertThat(status.at("/spec/source").asText()).isEqualTo("file:" + spec.toAbsolutePath());
        assertThat(status.at("/spec/version").asText()).isEqualTo(controller.snapshots().spec().orElseThrow().version());
        assertThat(status.at("/spec/loadedAt").asText()).isNotBlank();
        assertThat(status.get("services").fieldNames()).toIterable().containsExactly("frontend", "orders", "payments");
        assertThat(status.at("/services/frontend/snapshotVersion").asText()).isEqualTo(version);
        assertThat(status.at("/services/orders/versions/v1")).isEmpty();
        JsonNode instance = status.at("/services/orders/versions/v2/0");
        assertThat(instance.get("id").asText()).isEqualTo("orders-1");
        assertThat(instance.get("address").asText()).isEqualTo("127.0.0.1");
        assertThat(instance.get("port").intValue()).isEqualTo(18081);
        assertThat(instance.get("zone").asText()).isEqualTo("local");
        assertThat(instance.get("healthy").booleanValue()).isTrue();
        JsonNode proxy = status.at("/proxies/0");
        assertThat(proxy.get("id").asText()).isEqualTo("frontend-1");
        assertThat(proxy.get("service").asText()).isEqualTo("frontend");
        assertThat(proxy.get("version").asText()).isEqualTo(version);
        assertThat(proxy.get("current").booleanValue()).isTrue();
        assertThat(proxy.get("fetchedAt").asText()).isNotBlank();
        assertThat(status.at("/spec/rejected").isMissingNode()).isTrue();
    }

    @Test
    @DisplayName("GIVEN a proxy that holds a version WHEN the registry changes THEN status says it is no longer current")
    void statusShowsProxiesBehind() throws Exception {
        Http.get(controller.uri().resolve("/v1/snapshots/frontend"), "X-Trellis-Proxy", "frontend-1");

        Http.put(controller.uri().resolve("/v1/registry/orders/instances/o"), "{\"address\":\"127.0.0.1\",\"port\":1}");
        awaitGeneration(2);

        JsonNode status = JSON.readTree(Http.get(controller.uri().resolve("/v1/status")).body());
        assertThat(status.at("/proxies/0/current").booleanValue()).isFalse();
    }

    @Test
    @DisplayName("GIVEN served snapshots WHEN /metrics is scraped THEN it has Prometheus text with the snapshot counters and gauges")
    void metricsArePrometheusText() {
        Http.get(controller.uri().resolve("/v1/snapshots/orders"));
        Http.get(controller.uri().resolve("/v1/snapshots/nope"));

        HttpResponse<String> metrics = Http.get(controller.uri().resolve("/metrics"));

        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain");
        List<String> lines = metrics.body().lines().toList();
        assertThat(lines).contains("trellis_snapshots_responses_total{status=\"200\"} 1.0",
                "trellis_snapshots_responses_total{status=\"404\"} 1.0");
        assertThat(lines).anyMatch(l -> l.startsWith("trellis_snapshots_generation "));
        assertThat(lines).anyMatch(l -> l.startsWith("trellis_snapshots_waiting "));
        assertThat(lines).anyMatch(l -> l.startsWith("trellis_snapshots_recompute_seconds_count "));
    }

    @Test
    @DisplayName("GIVEN an unknown path THEN 404 lists the paths there are")
    void unknownPath() {
        HttpResponse<String> response = Http.get(controller.uri().resolve("/v2/anything"));

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).startsWith("path: /v2/anything (expected: /v1/snapshots/{service}");
    }

    private void awaitGeneration(long generation) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (controller.snapshots().generation() < generation && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(controller.snapshots().generation()).isGreaterThanOrEqualTo(generation);
    }
}
