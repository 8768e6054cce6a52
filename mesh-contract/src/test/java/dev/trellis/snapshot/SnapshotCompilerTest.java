package dev.trellis.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.spec.Examples;
import dev.trellis.spec.MeshSpec;
import dev.trellis.spec.MeshSpecs;
import dev.trellis.spec.TlsMode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SnapshotCompilerTest {

    private final MeshSpec shop = MeshSpecs.read(Examples.shopSpec());

    private static SnapshotCompiler.EndpointLookup endpoints(Map<String, List<Endpoint>> byCluster) {
        return (service, version) -> byCluster.getOrDefault(Cluster.name(service, version), List.of());
    }

    private final SnapshotCompiler.EndpointLookup twoOrders = endpoints(Map.of(
            "orders/v1", List.of(Endpoint.of("10.0.0.2", 15000), Endpoint.of("10.0.0.1", 15000)),
            "orders/v2", List.of(Endpoint.of("10.0.0.3", 15000))));

    @Test
    @DisplayName("GIVEN the shop WHEN the frontend's snapshot is compiled THEN it holds a cluster per version of every service")
    void clustersPerServiceVersion() {
        ProxySnapshot snapshot = SnapshotCompiler.compile(shop, "frontend", twoOrders);

        assertThat(snapshot.clusters()).extracting(Cluster::name)
                .containsExactly("frontend/v1", "orders/v1", "orders/v2", "payments/v1");
        assertThat(snapshot.cluster("orders/v1").orElseThrow().endpoints())
                .as("endpoints are sorted so that order of discovery does not change the version")
                .extracting(Endpoint::address).containsExactly("10.0.0.1", "10.0.0.2");
        assertThat(snapshot.identity()).isEqualTo("spiffe://shop.trellis.local/mesh/shop/service/frontend");
        assertThat(snapshot.cluster("orders/v2").orElseThrow().identity())
                .isEqualTo("spiffe://shop.trellis.local/mesh/shop/service/orders");
    }

    @Test
    @DisplayName("GIVEN routes with priorities WHEN compiled THEN they are ordered by priority with resolved settings")
    void routesOrderedAndResolved() {
        ProxySnapshot snapshot = SnapshotCompiler.compile(shop, "frontend", twoOrders);

        VirtualService orders = snapshot.outbound().services().stream()
                .filter(s -> s.name().equals("orders")).findFirst().orElseThrow();
        assertThat(orders.hosts()).containsExactly("orders", "orders.shop.local");
        assertThat(orders.routes()).extracting(Route::name).containsExactly("beta", "canary");
        Route canary = orders.routes().get(1);
        assertThat(canary.targets()).containsExactly(
                new Route.WeightedCluster("orders/v1", 90), new Route.WeightedCluster("orders/v2", 10));
        assertThat(canary.timeouts().request()).as("the service's timeout applies to its routes").isEqualTo(Duration.ofSeconds(2));
        assertThat(canary.retry().perTryTimeout()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    @DisplayName("GIVEN allowed callers WHEN the callee's snapshot is compiled THEN its inbound authorizes exactly their identities")
    void authorizationFromAllowedCallers() {
        ProxySnapshot payments = SnapshotCompiler.compile(shop, "payments", twoOrders);
        ProxySnapshot frontend = SnapshotCompiler.compile(shop, "frontend", twoOrders);

        assertThat(payments.inbound().authorization()).isEqualTo(new Authorization(false, List.of(
                new Authorization.Rule("spiffe://shop.trellis.local/mesh/shop/service/orders",
                        List.of("/payments"), List.of("POST", "GET")))));
        assertThat(frontend.inbound().authorization()).isEqualTo(Authorization.ALLOW_ALL);
        assertThat(payments.inbound().appPort()).isEqualTo(8082);
        assertThat(payments.inbound().tls()).isEqualTo(TlsMode.PERMISSIVE);
    }

    @Test
    @DisplayName("GIVEN the same inputs WHEN compiled twice THEN the version is the same; new endpoints give a new version")
    void versionFollowsContent() {
        ProxySnapshot first = SnapshotCompiler.compile(shop, "frontend", twoOrders);
        ProxySnapshot again = SnapshotCompiler.compile(shop, "frontend", twoOrders);
        ProxySnapshot moved = SnapshotCompiler.compile(shop, "frontend", endpoints(Map.of(
                "orders/v1", List.of(Endpoint.of("10.0.0.9", 15000)))));

        assertThat(again.version()).isEqualTo(first.version()).hasSize(16);
        assertThat(moved.version()).isNotEqualTo(first.version());
    }

    @Test
    @DisplayName("GIVEN a service not in the spec WHEN compiled THEN the error names it and the mesh")
    void unknownService() {
        assertThatThrownBy(() -> SnapshotCompiler.compile(shop, "inventory", twoOrders))
                .isInstanceOf(NoSuchElementException.class)
                .hasMessage("service: inventory (expected: a service of mesh shop)");
    }
}
