package dev.trellis.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class MeshSpecsTest {

    @Test
    @DisplayName("GIVEN the shipped shop example WHEN it is read THEN every service, route and policy is there")
    void readsTheShopExample() {
        MeshSpec spec = MeshSpecs.read(Examples.shopSpec());

        assertThat(spec.mesh()).isEqualTo("shop");
        assertThat(spec.services()).extracting(ServiceSpec::name).containsExactly("frontend", "orders", "payments");
        ServiceSpec orders = spec.service("orders").orElseThrow();
        assertThat(orders.versions()).containsExactly("v1", "v2");
        assertThat(orders.route("canary").orElseThrow().targets())
                .containsExactly(WeightedTarget.of("v1", 90), WeightedTarget.of("v2", 10));
        assertThat(orders.route("beta").orElseThrow().match().headers())
                .containsExactly(HeaderMatch.exact("x-beta", "true"));
        assertThat(orders.retry().perTryTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(spec.service("payments").orElseThrow().allowedCallers())
                .containsExactly(new CallerRule("orders", List.of("/payments"), List.of("POST", "GET")));
    }

    @Test
    @DisplayName("GIVEN a minimal service WHEN it is read THEN App Mesh's defaults apply")
    void appliesDefaults() {
        MeshSpec spec = MeshSpecs.parseYaml("""
                mesh: tiny
                services:
                  - name: api
                    port: 8080
                """);

        ServiceSpec api = spec.services().get(0);
        assertThat(spec.apiVersion()).isEqualTo(MeshSpec.API_VERSION);
        assertThat(spec.trustDomain()).isEqualTo("tiny.trellis.local");
        assertThat(spec.tls()).isEqualTo(TlsMode.PERMISSIVE);
        assertThat(api.protocol()).isEqualTo(Protocol.HTTP);
        assertThat(api.versions()).containsExactly("v1");
        assertThat(api.timeouts().request()).isEqualTo(Duration.ofSeconds(15));
        assertThat(api.timeouts().idle()).isEqualTo(Duration.ofSeconds(300));
        assertThat(api.retry().attempts()).isEqualTo(2);
        assertThat(api.retry().on()).containsExactlyInAnyOrder(
                RetryEvent.CONNECT_FAILURE, RetryEvent.GATEWAY_ERROR, RetryEvent.RESET);
        assertThat(api.outlierDetection().consecutiveFailures()).isEqualTo(5);
        assertThat(api.loadBalancer()).isEqualTo(LoadBalancer.ROUND_ROBIN);
        assertThat(api.effectiveRoutes()).singleElement()
                .satisfies(r -> assertThat(r.targets()).containsExactly(WeightedTarget.of("v1", 1)));
    }

    @Test
    @DisplayName("GIVEN a partial retry policy WHEN it is read THEN only the given fields differ from the defaults")
    void mergesPartialObjectsWithDefaults() {
        MeshSpec spec = MeshSpecs.parseYaml("""
                mesh: tiny
                services:
                  - name: api
                    port: 8080
                    retry: {attempts: 5, backoff: {base: 50ms}}
                """);

        RetryPolicy retry = spec.services().get(0).retry();
        assertThat(retry.attempts()).isEqualTo(5);
        assertThat(retry.on()).isEqualTo(RetryPolicy.DEFAULT.on());
        assertThat(retry.backoff().base()).isEqualTo(Duration.ofMillis(50));
        assertThat(retry.backoff().max()).isEqualTo(Duration.ofMillis(500));
        assertThat(retry.budget()).isEqualTo(RetryPolicy.Budget.DEFAULT);
    }

    @Test
    @DisplayName("GIVEN the example WHEN it goes YAML -> records -> JSON -> records THEN nothing changes")
    void roundTripsThroughJson() {
        MeshSpec fromYaml = MeshSpecs.read(Examples.shopSpec());

        String json = MeshSpecs.toJson(fromYaml);
        MeshSpec fromJson = MeshSpecs.parseJson(json);

        assertThat(fromJson).isEqualTo(fromYaml);
        assertThat(MeshSpecs.toJson(fromJson)).isEqualTo(json);
    }

    @Test
    @DisplayName("GIVEN the example WHEN it is written back as YAML and read again THEN nothing changes")
    void roundTripsThroughYaml() {
        MeshSpec spec = MeshSpecs.read(Examples.shopSpec());

        assertThat(MeshSpecs.parseYaml(MeshSpecs.toYaml(spec))).isEqualTo(spec);
    }

    @Test
    @DisplayName("GIVEN durations WHEN written THEN they use the shortest exact unit")
    void writesDurationsAsPeopleDo() {
        MeshSpec spec = MeshSpecs.read(Examples.shopSpec());

        String json = MeshSpecs.toJson(spec);

        assertThat(json).contains("\"request\":\"2s\"", "\"perTryTimeout\":\"500ms\"", "\"idle\":\"5m\"");
    }

    @Test
    @DisplayName("GIVEN a spec built in code WHEN it is validated THEN a valid one passes unchanged")
    void validatesSpecsBuiltInCode() {
        MeshSpec spec = MeshSpec.of("shop", List.of(ServiceSpec.of("orders", 8080)));

        assertThat(MeshSpecs.validate(spec)).isSameAs(spec);
        assertThat(MeshSpecs.problems(spec)).isEmpty();
    }

    @Test
    @DisplayName("GIVEN the published schema WHEN read THEN it is the 2020-12 schema of apiVersion v1")
    void publishesTheSchema() {
        assertThat(MeshSpecs.jsonSchema())
                .contains("\"$schema\" : \"https://json-schema.org/draft/2020-12/schema\"")
                .contains("trellis.dev/v1");
    }
}
