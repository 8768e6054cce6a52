package dev.trellis.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.proxy.fixtures.Mesh;
import dev.trellis.proxy.http.HttpLimits;
import dev.trellis.proxy.metrics.ProxyMetrics;
import dev.trellis.proxy.transport.Transport;
import dev.trellis.proxy.upstream.UpstreamConnector;
import dev.trellis.proxy.upstream.UpstreamHost;
import dev.trellis.snapshot.InvalidSnapshotException;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.Route;
import dev.trellis.snapshot.VirtualService;
import dev.trellis.snapshot.Outbound;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("SnapshotHolder: compiled tables, swapped whole, state carried over")
class SnapshotHolderTest {

    private static final String TWO_VERSIONS = """
              - name: orders
                port: 8081
                versions: [v1, v2]
                connectionLimits: { maxRequests: %d }
            """;

    private final SnapshotHolder holder = new SnapshotHolder(new UpstreamConnector(Transport.nio(), HttpLimits.DEFAULT),
            ProxyMetrics.noop());

    private final Mesh mesh = Mesh.spec(TWO_VERSIONS.formatted(10))
            .endpoint("orders", "v1", 20001).endpoint("orders", "v1", 20002).endpoint("orders", "v2", 20003);

    @Test
    @DisplayName("GIVEN no snapshot yet WHEN asked THEN there is no table and the proxy is not ready")
    void emptyBeforeFirst() {
        assertThat(holder.table()).isNull();
        assertThat(holder.get()).isNull();
        assertThat(holder.ready()).isFalse();
    }

    @Test
    @DisplayName("GIVEN a snapshot WHEN applied THEN hosts resolve by service name and Cloud Map name, any case, port ignored")
    void hostsResolve() {
        holder.accept(mesh.snapshot());

        RoutingTable table = holder.table();
        assertThat(table.serviceForHost("orders").service()).isEqualTo("orders");
        assertThat(table.serviceForHost("Orders.test.local:8081").service()).isEqualTo("orders");
        assertThat(table.serviceForHost("payments")).isNull();
        assertThat(table.inbound().name()).isEqualTo("inbound");
    }

    @Test
    @DisplayName("GIVEN a new snapshot keeping an endpoint WHEN applied THEN the same host object (pools, health) and breaker serve it; new limits apply")
    void stateCarriesOver() {
        holder.accept(mesh.snapshot());
        UpstreamHost kept = holder.table().cluster("orders/v1").hosts().get(0);
        kept.health();
        var breaker = holder.table().cluster("orders/v1").breaker();

        holder.accept(mesh.withServices(TWO_VERSIONS.formatted(99)).snapshot());

        assertThat(holder.table().cluster("orders/v1").hosts().get(0)).isSameAs(kept);
        assertThat(holder.table().cluster("orders/v1").breaker()).isSameAs(breaker);
        assertThat(breaker.limits().maxRequests()).isEqualTo(99);
        assertThat(kept.retired()).isFalse();
    }

    @Test
    @DisplayName("GIVEN an endpoint that left WHEN the snapshot is applied THEN its host is retired")
    void removedHostsRetire() {
        holder.accept(mesh.snapshot());
        UpstreamHost leaving = holder.table().cluster("orders/v1").hosts().get(1);

        holder.accept(Mesh.spec(TWO_VERSIONS.formatted(10)).endpoint("orders", "v1", 20001)
                .endpoint("orders", "v2", 20003).snapshot());

        assertThat(leaving.retired()).isTrue();
        assertThat(holder.table().cluster("orders/v1").hosts()).hasSize(1);
    }

    @Test
    @DisplayName("GIVEN an inconsistent snapshot WHEN applied THEN it is refused with its problems and the current table stays")
    void inconsistentRefused() {
        holder.accept(mesh.snapshot());
        RoutingTable before = holder.table();
        ProxySnapshot good = mesh.snapshot();
        VirtualService orders = good.outbound().services().get(1);
        Route broken = new Route("broken", null, List.of(new Route.WeightedCluster("nowhere/v9", 1)),
                orders.routes().get(0).timeouts(), orders.routes().get(0).retry(), null, null, null);
        ProxySnapshot bad = new ProxySnapshot(null, good.mesh(), good.service(), good.identity(), good.trustDomain(),
                good.inbound(), new Outbound(good.outbound().port(), List.of(new VirtualService("orders",
                List.of("orders"), orders.protocol(), orders.port(), List.of(broken)))), good.clusters());

        assertThatThrownBy(() -> holder.accept(bad)).isInstanceOf(InvalidSnapshotException.class)
                .hasMessageContaining("nowhere/v9 (expected: an existing cluster)");
        assertThat(holder.table()).isSameAs(before);
    }

    @Test
    @DisplayName("GIVEN an ejection-free cluster WHEN the health view is read THEN it lists every host with its state")
    void healthView() {
        holder.accept(mesh.snapshot());

        var orders = holder.clusters().stream().filter(c -> c.name().equals("orders/v1")).findFirst().orElseThrow();

        assertThat(orders.hosts()).extracting(h -> h.port()).containsExactly(20001, 20002);
        assertThat(orders.hosts()).allMatch(h -> !h.ejected() && h.registryHealthy());
        assertThat(orders.loadBalancer()).isEqualTo("round_robin");
    }
}
