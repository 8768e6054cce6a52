package dev.trellis.controller.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.controller.Controller;
import dev.trellis.controller.registry.Registry;
import dev.trellis.controller.spec.FileSpecReader;
import dev.trellis.controller.testing.Http;
import dev.trellis.controller.testing.TestMesh;
import dev.trellis.snapshot.Endpoint;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.Snapshots;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The long-poll protocol of {@code GET /v1/snapshots/{service}} against a real controller on loopback. */
class SnapshotLongPollTest {

    @TempDir
    Path dir;
    private Controller controller;

    @BeforeEach
    void startController() throws Exception {
        Path spec = dir.resolve("mesh.yaml");
        TestMesh.write(spec, TestMesh.SHOP);
        controller = Controller.builder(new FileSpecReader(spec), Registry.inMemory())
                .host("127.0.0.1").port(0).specInterval(Duration.ofMillis(50)).debounce(Duration.ofMillis(5))
                .start();
    }

    @AfterEach
    void stopController() {
        controller.close();
    }

    private URI snapshots(String service) {
        return controller.uri().resolve("/v1/snapshots/" + service);
    }

    @Test
    @DisplayName("GIVEN a proxy that holds nothing WHEN it asks for its snapshot THEN it gets 200 with a checked snapshot and its version as ETag")
    void firstFetchReturnsTheSnapshotWithItsVersionAsEtag() {
        HttpResponse<String> response = Http.get(snapshots("orders"), "Prefer", "wait=5");

        assertThat(response.statusCode()).isEqualTo(200);
        ProxySnapshot snapshot = Snapshots.fromJson(response.body());
        assertThat(snapshot.service()).isEqualTo("orders");
        assertThat(snapshot.clusters()).extracting(c -> c.name())
                .containsExactly("frontend/v1", "orders/v1", "orders/v2", "payments/v1");
        assertThat(response.headers().firstValue("ETag")).hasValue("\"" + snapshot.version() + "\"");
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    }

    @Test
    @DisplayName("GIVEN a proxy that holds the current version WHEN nothing changes during its wait THEN it gets 304 after the wait, never the same snapshot again")
    void unchangedSnapshotIsAnswered304AtTheEndOfTheWait() {
        String version = etag(Http.get(snapshots("orders")));

        long start = System.nanoTime();
        HttpResponse<String> response = Http.get(snapshots("orders"),
                "If-None-Match", "\"" + version + "\"", "Prefer", "wait=1");
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(response.statusCode()).isEqualTo(304);
        assertThat(response.body()).isEmpty();
        assertThat(response.headers().firstValue("ETag")).hasValue("\"" + version + "\"");
        assertThat(elapsedMillis).isBetween(900L, 5_000L);
    }

    @Test
    @DisplayName("GIVEN a proxy that holds the current version and asks without waiting THEN it gets 304 at once")
    void unchangedSnapshotWithoutWaitIsAnswered304AtOnce() {
        String version = etag(Http.get(snapshots("orders")));

        long start = System.nanoTime();
        HttpResponse<String> response = Http.get(snapshots("orders"),
                "If-None-Match", "\"" + version + "\"", "Prefer", "wait=0");

        assertThat(response.statusCode()).isEqualTo(304);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(900L);
    }

    @Test
    @DisplayName("GIVEN a proxy that holds an older version WHEN it asks THEN it gets the current snapshot at once")
    void staleVersionIsAnsweredAtOnce() {
        String version = etag(Http.get(snapshots("orders")));

        long start = System.nanoTime();
        HttpResponse<String> response = Http.get(snapshots("orders"),
                "If-None-Match", "\"0000000000000000\"", "Prefer", "wait=30");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(etag(response)).isEqualTo(version);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000L);
    }

    @Test
    @DisplayName("GIVEN a service the spec does not have WHEN a proxy asks for it THEN 404 names the services there are")
    void unknownServiceIs404WithTheServicesThereAre() {
        HttpResponse<String> response = Http.get(snapshots("inventory"));

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body().strip()).isEqualTo("service: inventory (expected: one of frontend, orders, payments)");
    }

    @Test
    @DisplayName("GIVEN a proxy parked on its current version WHEN an instance registers through the registry API THEN the parked request returns the new snapshot with the endpoint, before its wait ends")
    void registrationThroughTheApiCompletesAParkedPoll() throws Exception {
        String version = etag(Http.get(snapshots("frontend")));
        CompletableFuture<HttpResponse<String>> parked = CompletableFuture.supplyAsync(() -> Http.get(
                snapshots("frontend"), "If-None-Match", "\"" + version + "\"", "Prefer", "wait=30",
                "X-Trellis-Proxy", "frontend-1"));
        Thread.sleep(200);
        assertThat(parked).isNotDone();

        HttpResponse<String> put = Http.put(controller.uri().resolve("/v1/registry/orders/instances/orders-a"),
                "{\"address\":\"127.0.0.1\",\"port\":18081,\"version\":\"v2\",\"zone\":\"az1\",\"healthy\":true}");
        HttpResponse<String> response = parked.get(5, TimeUnit.SECONDS);

        assertThat(put.statusCode()).isEqualTo(201);
        assertThat(response.statusCode()).isEqualTo(200);
        ProxySnapshot snapshot = Snapshots.fromJson(response.body());
        assertThat(snapshot.version()).isNotEqualTo(version).isEqualTo(etag(response));
        assertThat(snapshot.cluster("orders/v2").orElseThrow().endpoints())
                .containsExactly(new Endpoint("127.0.0.1", 18081, "az1", true, "orders-a"));
        assertThat(snapshot.cluster("orders/v1").orElseThrow().endpoints()).isEmpty();
    }

    @Test
    @DisplayName("GIVEN a registered instance WHEN it is deregistered THEN the next snapshot no longer has it")
    void deregistrationReachesTheSnapshot() {
        Http.put(controller.uri().resolve("/v1/registry/payments/instances/p1"), "{\"address\":\"10.0.0.1\",\"port\":8082}");
        HttpResponse<String> withInstance = awaitSnapshotWith(s -> !s.cluster("payments/v1").orElseThrow().endpoints().isEmpty());

        HttpResponse<String> delete = Http.delete(controller.uri().resolve("/v1/registry/payments/instances/p1"));
        HttpResponse<String> after = Http.get(snapshots("orders"),
                "If-None-Match", "\"" + etag(withInstance) + "\"", "Prefer", "wait=5");

        assertThat(delete.statusCode()).isEqualTo(204);
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(Snapshots.fromJson(after.body()).cluster("payments/v1").orElseThrow().endpoints()).isEmpty();
    }

    private HttpResponse<String> awaitSnapshotWith(java.util.function.Predicate<ProxySnapshot> condition) {
        HttpResponse<String> response = Http.get(snapshots("orders"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.test(Snapshots.fromJson(response.body())) && System.nanoTime() < deadline) {
            response = Http.get(snapshots("orders"), "If-None-Match", "\"" + etag(response) + "\"", "Prefer", "wait=5");
            if (response.statusCode() == 304) {
                response = Http.get(snapshots("orders"));
            }
        }
        assertThat(condition.test(Snapshots.fromJson(response.body()))).as("condition reached").isTrue();
        return response;
    }

    private static String etag(HttpResponse<String> response) {
        String etag = response.headers().firstValue("ETag").orElseThrow();
        return etag.substring(1, etag.length() - 1);
    }
}
