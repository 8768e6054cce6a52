package dev.trellis.snapshot.client;

import dev.trellis.snapshot.Endpoint;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.SnapshotCompiler;
import dev.trellis.spec.MeshSpec;
import dev.trellis.spec.MeshSpecs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** Snapshots compiled from a small mesh, and a listener that records what it was given. */
final class TestSnapshots {

    static final MeshSpec SHOP = MeshSpecs.parseYaml("""
            apiVersion: trellis.dev/v1
            mesh: shop
            services:
              - name: frontend
                port: 8080
              - name: orders
                port: 8081
                versions: [v1, v2]
            """);

    private TestSnapshots() {
    }

    /** The frontend's snapshot with the given endpoints per cluster name. */
    static ProxySnapshot frontend(Map<String, List<Endpoint>> endpoints) {
        return SnapshotCompiler.compile(SHOP, "frontend",
                (service, version) -> endpoints.getOrDefault(service + "/" + version, List.of()));
    }

    static final class Recorder {
        final List<ProxySnapshot> applied = new CopyOnWriteArrayList<>();

        void accept(ProxySnapshot snapshot) {
            applied.add(snapshot);
        }

        ProxySnapshot await(Predicate<ProxySnapshot> condition, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                if (!applied.isEmpty() && condition.test(applied.get(applied.size() - 1))) {
                    return applied.get(applied.size() - 1);
                }
                Thread.sleep(5);
            }
            throw new AssertionError("no snapshot met the condition within " + timeout + "; applied: " + applied.size());
        }
    }
}
