package dev.trellis.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.spec.Examples;
import dev.trellis.spec.MeshSpecs;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SnapshotsTest {

    private final ProxySnapshot snapshot = SnapshotCompiler.compile(MeshSpecs.read(Examples.shopSpec()), "frontend",
            (service, version) -> List.of(new Endpoint("10.0.0.1", 15000, "us-east-1a", true, "task/1")));

    @Test
    @DisplayName("GIVEN a snapshot WHEN it goes to JSON and back THEN it is equal and its JSON identical")
    void roundTrips() {
        String json = Snapshots.toJson(snapshot);

        ProxySnapshot parsed = Snapshots.fromJson(json);

        assertThat(parsed).isEqualTo(snapshot);
        assertThat(Snapshots.toJson(parsed)).isEqualTo(json);
    }

    @Test
    @DisplayName("GIVEN a route to a cluster that does not exist WHEN sealed THEN it is refused with the route and cluster named")
    void refusesDanglingRoute() {
        List<Cluster> withoutOrdersV2 = new ArrayList<>(snapshot.clusters());
        withoutOrdersV2.removeIf(c -> c.name().equals("orders/v2"));
        ProxySnapshot broken = new ProxySnapshot(null, snapshot.mesh(), snapshot.service(), snapshot.identity(),
                snapshot.trustDomain(), snapshot.inbound(), snapshot.outbound(), withoutOrdersV2);

        assertThatThrownBy(() -> Snapshots.seal(broken))
                .isInstanceOf(InvalidSnapshotException.class)
                .hasMessageContaining("outbound.services[orders].routes[beta].targets: orders/v2 (expected: an existing cluster)")
                .hasMessageContaining("outbound.services[orders].routes[canary].targets: orders/v2 (expected: an existing cluster)");
    }

    @Test
    @DisplayName("GIVEN JSON whose version does not match its content WHEN parsed THEN it is refused")
    void refusesTamperedVersion() {
        String json = Snapshots.toJson(snapshot).replace("10.0.0.1", "10.6.6.6");

        assertThatThrownBy(() -> Snapshots.fromJson(json))
                .isInstanceOf(InvalidSnapshotException.class)
                .hasMessageContaining("version: " + snapshot.version() + " (expected: ");
    }

    @Test
    @DisplayName("GIVEN the JSON re-indented by hand, content unchanged WHEN parsed THEN its version is checked on the content and it is accepted")
    void acceptsReformattedJson() throws Exception {
        String reformatted = dev.trellis.spec.internal.SpecJson.json().writerWithDefaultPrettyPrinter()
                .writeValueAsString(dev.trellis.spec.internal.SpecJson.json().readTree(Snapshots.toJson(snapshot)));

        assertThat(reformatted).isNotEqualTo(Snapshots.toJson(snapshot));
        assertThat(Snapshots.fromJson(reformatted)).isEqualTo(snapshot);
    }

    @Test
    @DisplayName("GIVEN the JSON re-indented and its content changed WHEN parsed THEN it is refused for its version")
    void refusesReformattedTamperedJson() throws Exception {
        String tampered = dev.trellis.spec.internal.SpecJson.json().writerWithDefaultPrettyPrinter()
                .writeValueAsString(dev.trellis.spec.internal.SpecJson.json().readTree(
                        Snapshots.toJson(snapshot).replace("10.0.0.1", "10.6.6.6")));

        assertThatThrownBy(() -> Snapshots.fromJson(tampered))
                .isInstanceOf(InvalidSnapshotException.class)
                .hasMessageContaining("version: " + snapshot.version() + " (expected: ");
    }

    @Test
    @DisplayName("GIVEN malformed JSON WHEN parsed THEN it is refused as a snapshot")
    void refusesMalformedJson() {
        assertThatThrownBy(() -> Snapshots.fromJson("{\"clusters\": 3"))
                .isInstanceOf(InvalidSnapshotException.class)
                .hasMessageStartingWith("snapshot: ");
    }

    @Test
    @DisplayName("GIVEN an endpoint with port 0 WHEN sealed THEN the endpoint is named")
    void refusesBadPort() {
        Cluster bad = snapshot.clusters().get(0).withEndpoints(List.of(Endpoint.of("10.0.0.1", 0)));
        List<Cluster> clusters = new ArrayList<>(snapshot.clusters());
        clusters.set(0, bad);

        assertThat(Snapshots.problems(new ProxySnapshot(null, snapshot.mesh(), snapshot.service(), snapshot.identity(),
                snapshot.trustDomain(), snapshot.inbound(), snapshot.outbound(), clusters)))
                .containsExactly("clusters[frontend/v1].endpoints[10.0.0.1].port: 0 (expected: 1..65535)");
    }
}
