package dev.trellis.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.proxy.fixtures.Mesh;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.Snapshots;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("FileSnapshotSource: a JSON snapshot file, watched")
class FileSnapshotSourceTest {

    @TempDir
    Path dir;

    private final Mesh mesh = Mesh.spec("""
              - name: orders
                port: 8081
            """).endpoint("orders", "v1", 20001);

    @Test
    @DisplayName("GIVEN a snapshot file WHEN started THEN its snapshot is delivered before start returns; a changed file is delivered later")
    void deliversAndWatches() throws Exception {
        Path file = dir.resolve("snapshot.json");
        ProxySnapshot first = mesh.snapshot();
        Files.writeString(file, Snapshots.toJson(first));
        List<ProxySnapshot> delivered = new CopyOnWriteArrayList<>();
        List<String> problems = new CopyOnWriteArrayList<>();

        try (FileSnapshotSource source = FileSnapshotSource.of(file, Duration.ofMillis(20), problems::add)) {
            source.start(delivered::add);
            assertThat(delivered).containsExactly(first);

            ProxySnapshot second = mesh.endpoint("orders", "v1", 20002).snapshot();
            Path temp = dir.resolve("next.json");
            Files.writeString(temp, Snapshots.toJson(second));
            Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            waitFor(() -> delivered.size() == 2);

            assertThat(delivered.get(1).version()).isEqualTo(second.version());
            assertThat(problems).isEmpty();
        }
    }

    @Test
    @DisplayName("GIVEN a running source WHEN the file turns invalid THEN the problem is reported and nothing is delivered")
    void invalidFileKeepsLastGood() throws Exception {
        Path file = dir.resolve("snapshot.json");
        Files.writeString(file, Snapshots.toJson(mesh.snapshot()));
        List<ProxySnapshot> delivered = new CopyOnWriteArrayList<>();
        List<String> problems = new CopyOnWriteArrayList<>();

        try (FileSnapshotSource source = FileSnapshotSource.of(file, Duration.ofMillis(20), problems::add)) {
            source.start(delivered::add);
            Files.writeString(file, "{ not json");
            waitFor(() -> !problems.isEmpty());

            assertThat(delivered).hasSize(1);
            assertThat(problems.get(0)).contains("not applied, keeping version " + delivered.get(0).version());
        }
    }

    @Test
    @DisplayName("GIVEN a missing file WHEN started THEN start fails naming the file")
    void missingFile() {
        Path file = dir.resolve("absent.json");
        try (FileSnapshotSource source = FileSnapshotSource.of(file)) {
            assertThatThrownBy(() -> source.start(s -> { })).hasMessageContaining("absent.json");
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.sleep(10);
        }
    }
}
