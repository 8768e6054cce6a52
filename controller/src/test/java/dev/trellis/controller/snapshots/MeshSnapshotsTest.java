package dev.trellis.controller.snapshots;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.controller.registry.InMemoryRegistry;
import dev.trellis.controller.registry.RegisteredInstance;
import dev.trellis.controller.registry.Registry;
import dev.trellis.controller.spec.LoadedSpec;
import dev.trellis.controller.testing.TestMesh;
import dev.trellis.snapshot.Cluster;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.SnapshotCompiler;
import dev.trellis.snapshot.Snapshots;
import dev.trellis.spec.MeshSpec;
import dev.trellis.spec.MeshSpecs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The snapshot engine on its own: what it computes, when it recomputes, and what it reuses. */
class MeshSnapshotsTest {

    private static final MeshSpec SHOP = MeshSpecs.parseYaml(TestMesh.SHOP);
    private static final MeshSpec EXAMPLE = MeshSpecs.read(Path.of("../examples/shop/mesh.yaml"));

    private InMemoryRegistry registry;
    private SimpleMeterRegistry meters;
    private MeshSnapshots snapshots;

    @BeforeEach
    void engine() {
        registry = Registry.inMemory();
        meters = new SimpleMeterRegistry();
        snapshots = MeshSnapshots.builder(registry).debounce(Duration.ofMillis(20)).meters(meters).build();
    }

    @AfterEach
    void close() {
        snapshots.close();
    }

    private void load(MeshSpec spec) {
        snapshots.specChanged(LoadedSpec.of(spec, Instant.now(), "test"));
        snapshots.recomputeNow();
    }

    @Test
    @DisplayName("GIVEN the example mesh and instances WHEN every service's snapshot is sealed THEN each equals, byte for byte, what SnapshotCompiler and Snapshots give")
    void sealedSnapshotsEqualTheContractsCompiler() {
        registry.register(new RegisteredInstance("orders", "o2", "10.0.0.2", 15000, "v2", "az2", false, "task/2"));
        registry.register(new RegisteredInstance("orders", "o1", "10.0.0.1", 15000, "v1", "az1", true, null));
        registry.register(new RegisteredInstance("payments", "p1", "10.0.1.1", 15000, "v1", null, true, null));
        load(EXAMPLE);

        for (String service : List.of("frontend", "orders", "payments")) {
            ProxySnapshot expected = SnapshotCompiler.compile(EXAMPLE, service, registry::endpoints);
            SealedSnapshot sealed = snapshots.sealNow(service).orElseThrow();

            assertThat(sealed.version()).isEqualTo(expected.version());
            assertThat(sealed.snapshot()).isEqualTo(expected);
            assertThat(sealed.json()).isEqualTo(Snapshots.toJson(expected));
        }
    }

    @Test
    @DisplayName("GIVEN a computed generation WHEN an instance registers with what is there already THEN no new generation is made")
    void unchangedRegistryMakesNoNewGeneration() {
        registry.register(new RegisteredInstance("orders", "o1", "10.0.0.1", 15000, "v1", null, true, null));
        load(SHOP);
        long generation = snapshots.generation();

        registry.register(new RegisteredInstance("orders", "o1", "10.0.0.1", 15000, "v1", null, true, null));
        snapshots.recomputeNow();

        assertThat(snapshots.generation()).isEqualTo(generation);
    }

    @Test
    @DisplayName("GIVEN a burst of registrations WHEN they arrive within the debounce THEN one recompute covers them all")
    void burstsAreDebouncedIntoOneRecompute() throws Exception {
        snapshots.close();
        snapshots = MeshSnapshots.builder(registry).debounce(Duration.ofMillis(500)).meters(meters).build();
        load(SHOP);
        long before = snapshots.generation();

        for (int i = 1; i <= 50; i++) {
            registry.register(new RegisteredInstance("orders", "o" + i, "10.0.0." + i, 15000, "v1", null, true, null));
        }
        Thread.sleep(1_000);

        assertThat(snapshots.generation()).isEqualTo(before + 1);
        assertThat(snapshots.sealNow("frontend").orElseThrow().snapshot().cluster("orders/v1").orElseThrow()
                .endpoints()).hasSize(50);
    }

    @Test
    @DisplayName("GIVEN a registry change of one service WHEN recomputed THEN the other services' clusters are the same values as before")
    void unchangedClustersAreReused() {
        registry.register(new RegisteredInstance("payments", "p1", "10.0.1.1", 15000, "v1", null, true, null));
        load(SHOP);
        ProxySnapshot before = snapshots.sealNow("frontend").orElseThrow().snapshot();
        Cluster paymentsBefore = clusterValue("payments/v1");

        registry.register(new RegisteredInstance("orders", "o1", "10.0.0.1", 15000, "v1", null, true, null));
        snapshots.recomputeNow();

        assertThat(clusterValue("payments/v1")).isSameAs(paymentsBefore);
        assertThat(snapshots.sealNow("frontend").orElseThrow().version()).isNotEqualTo(before.version());
    }

    @Test
    @DisplayName("GIVEN a new generation WHEN no one asked for a service THEN its snapshot is not sealed until asked")
    void snapshotsAreSealedOnFirstUse() {
        load(SHOP);
        double sealedAfterLoad = meters.counter("trellis.snapshots.sealed").count();

        snapshots.sealNow("orders");
        snapshots.sealNow("orders");

        assertThat(sealedAfterLoad).isZero();
        assertThat(meters.counter("trellis.snapshots.sealed").count()).isEqualTo(1.0);
    }

    @Test
    @DisplayName("GIVEN a watch on the current version WHEN the registry changes THEN it fires once with the new snapshot")
    void watchFiresOnChange() throws Exception {
        load(SHOP);
        String held = snapshots.sealNow("orders").orElseThrow().version();
        CompletableFuture<SealedSnapshot> fired = new CompletableFuture<>();
        snapshots.watch("orders", held, fired::complete);
        Thread.sleep(100);
        assertThat(fired).isNotDone();

        registry.register(new RegisteredInstance("orders", "o1", "10.0.0.1", 15000, "v2", null, true, null));

        SealedSnapshot snapshot = fired.get(5, TimeUnit.SECONDS);
        assertThat(snapshot.version()).isNotEqualTo(held);
        assertThat(meters.get("trellis.snapshots.waiting").gauge().value()).isZero();
    }

    @Test
    @DisplayName("GIVEN a cancelled watch WHEN the registry changes THEN it never fires")
    void cancelledWatchNeverFires() throws Exception {
        load(SHOP);
        String held = snapshots.sealNow("orders").orElseThrow().version();
        CompletableFuture<SealedSnapshot> fired = new CompletableFuture<>();
        Watch watch = snapshots.watch("orders", held, fired::complete);

        assertThat(watch.cancel()).isTrue();
        registry.register(new RegisteredInstance("orders", "o1", "10.0.0.1", 15000, "v2", null, true, null));
        Thread.sleep(200);

        assertThat(fired).isNotDone();
        assertThat(watch.cancel()).isFalse();
    }

    @Test
    @DisplayName("GIVEN a watch on a service WHEN the spec drops that service THEN the watch fires with no snapshot")
    void watchOnARemovedServiceFiresWithNothing() throws Exception {
        load(SHOP);
        String held = snapshots.sealNow("payments").orElseThrow().version();
        CompletableFuture<SealedSnapshot> fired = new CompletableFuture<>();
        snapshots.watch("payments", held, s -> fired.complete(s));

        load(MeshSpecs.parseYaml(TestMesh.SHOP.replace("  - name: payments\n    port: 8082\n", "")));

        assertThat(fired.get(5, TimeUnit.SECONDS)).isNull();
        assertThat(snapshots.services()).containsExactly("frontend", "orders");
    }

    private Cluster clusterValue(String name) {
        return snapshots.sealNow("frontend").isPresent() ? currentCluster(name) : null;
    }

    private Cluster currentCluster(String name) {
        // The generation's own value, not a parsed copy: reuse is about identity.
        return snapshots.currentCluster(name).orElseThrow();
    }
}
