package dev.trellis.controller.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.controller.Controller;
import dev.trellis.controller.registry.InMemoryRegistry;
import dev.trellis.controller.registry.RegisteredInstance;
import dev.trellis.controller.registry.Registry;
import dev.trellis.controller.spec.FileSpecReader;
import dev.trellis.controller.testing.Http;
import dev.trellis.controller.testing.TestMesh;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code PUT/DELETE/GET /v1/registry/{service}/instances[/{id}]}: how local processes register. */
class RegistryApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private InMemoryRegistry registry;
    private Controller controller;

    @BeforeEach
    void start() throws Exception {
        Path spec = dir.resolve("mesh.yaml");
        TestMesh.write(spec, TestMesh.SHOP);
        registry = Registry.inMemory();
        controller = Controller.builder(new FileSpecReader(spec), registry)
                .host("127.0.0.1").port(0).specInterval(Duration.ofSeconds(10)).start();
    }

    @AfterEach
    void stop() {
        controller.close();
    }

    private URI instance(String service, String id) {
        return controller.uri().resolve("/v1/registry/" + service + "/instances/" + id);
    }

    @Test
    @DisplayName("GIVEN no instance WHEN one is PUT with every field THEN 201 and the registry holds it exactly")
    void putRegistersANewInstance() throws Exception {
        HttpResponse<String> response = Http.put(instance("orders", "orders-1"),
                "{\"address\":\"127.0.0.1\",\"port\":18081,\"version\":\"v2\",\"zone\":\"local\",\"healthy\":false}");

        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(response.body()).get("changed").booleanValue()).isTrue();
        assertThat(registry.instances("orders")).containsExactly(
                new RegisteredInstance("orders", "orders-1", "127.0.0.1", 18081, "v2", "local", false, null));
    }

    @Test
    @DisplayName("GIVEN only address and port WHEN PUT THEN the instance runs v1 and is healthy")
    void putDefaultsVersionAndHealth() {
        Http.put(instance("payments", "p"), "{\"address\":\"127.0.0.1\",\"port\":18082}");

        assertThat(registry.instances("payments")).singleElement().satisfies(i -> {
            assertThat(i.version()).isEqualTo("v1");
            assertThat(i.healthy()).isTrue();
        });
    }

    @Test
    @DisplayName("GIVEN a registered instance WHEN the same body is PUT again THEN 200 with changed false")
    void putSameInstanceAgainChangesNothing() throws Exception {
        String body = "{\"address\":\"127.0.0.1\",\"port\":18081}";
        Http.put(instance("orders", "o"), body);

        HttpResponse<String> again = Http.put(instance("orders", "o"), body);

        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(again.body()).get("changed").booleanValue()).isFalse();
    }

    @Test
    @DisplayName("GIVEN a body with a bad port, an unknown field and a non-boolean health WHEN PUT THEN 400 lists every problem and nothing is registered")
    void putWithProblemsIsRefusedListingThemAll() throws Exception {
        HttpResponse<String> response = Http.put(instance("orders", "o"),
                "{\"address\":\"127.0.0.1\",\"port\":0,\"healthy\":\"yes\",\"weight\":3}");

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode problems = JSON.readTree(response.body()).get("problems");
        assertThat(problems).extracting(JsonNode::asText).containsExactlyInAnyOrder(
                "weight: unknown field (expected: one of address, port, version, zone, healthy, workload)",
                "healthy: \"yes\" (expected: true or false)",
                "port: 0 (expected: 1..65535)");
        assertThat(registry.instances("orders")).isEmpty();
    }

    @Test
    @DisplayName("GIVEN a body that is not JSON WHEN PUT THEN 400 says what was expected")
    void putWithMalformedJsonIsRefused() throws Exception {
        HttpResponse<String> response = Http.put(instance("orders", "o"), "address=1.2.3.4");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).get("problems").get(0).asText())
                .isEqualTo("body: malformed JSON (expected: {\"address\": ..., \"port\": ...})");
    }

    @Test
    @DisplayName("GIVEN a registered instance WHEN it is DELETEd THEN 204, and a second DELETE is 404")
    void deleteRemovesOnce() {
        Http.put(instance("orders", "o"), "{\"address\":\"127.0.0.1\",\"port\":18081}");

        assertThat(Http.delete(instance("orders", "o")).statusCode()).isEqualTo(204);
        HttpResponse<String> again = Http.delete(instance("orders", "o"));
        assertThat(again.statusCode()).isEqualTo(404);
        assertThat(again.body().strip()).isEqualTo("instance: orders/o (expected: a registered instance)");
        assertThat(registry.instances("orders")).isEmpty();
    }

    @Test
    @DisplayName("GIVEN two instances WHEN the service's instances are listed THEN both come back, by id")
    void getListsInstances() throws Exception {
        Http.put(instance("orders", "b"), "{\"address\":\"127.0.0.2\",\"port\":18081}");
        Http.put(instance("orders", "a"), "{\"address\":\"127.0.0.1\",\"port\":18081}");

        HttpResponse<String> response = Http.get(controller.uri().resolve("/v1/registry/orders/instances"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body())).extracting(n -> n.get("id").asText()).containsExactly("a", "b");
    }

    @Test
    @DisplayName("GIVEN a path that is not an instance WHEN PUT THEN 404 shows the expected form")
    void wrongPathIs404() {
        HttpResponse<String> response = Http.put(controller.uri().resolve("/v1/registry/orders"), "{}");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body().strip()).isEqualTo("path: /v1/registry/orders (expected: /v1/registry/{service}/instances/{id})");
    }
}
