package dev.trellis.snapshot.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.snapshot.Endpoint;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.Snapshots;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotFileTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("GIVEN a saved snapshot WHEN it is loaded THEN it equals what was saved, version included")
    void savedSnapshotLoadsBack() {
        ProxySnapshot snapshot = TestSnapshots.frontend(Map.of("orders/v2", List.of(Endpoint.of("10.0.0.9", 15000))));
        SnapshotFile file = SnapshotFile.at(dir.resolve("a/b/snapshot.json"));

        file.save(snapshot);

        assertThat(file.load()).hasValue(snapshot);
    }

    @Test
    @DisplayName("GIVEN no file WHEN it is loaded THEN there is no snapshot")
    void missingFileHasNoSnapshot() {
        assertThat(SnapshotFile.at(dir.resolve("none.json")).load()).isEmpty();
    }

    @Test
    @DisplayName("GIVEN a file edited by hand so that its version no longer matches WHEN it is loaded THEN it is not used")
    void editedFileIsNotUsed() throws Exception {
        ProxySnapshot snapshot = TestSnapshots.frontend(Map.of("orders/v1", List.of(Endpoint.of("10.0.0.1", 15000))));
        Path path = dir.resolve("snapshot.json");
        Files.writeString(path, Snapshots.toJson(snapshot).replace("10.0.0.1", "10.0.0.2"));

        assertThat(SnapshotFile.at(path).load()).isEmpty();
    }

    @Test
    @DisplayName("GIVEN a truncated file WHEN it is loaded THEN it is not used")
    void truncatedFileIsNotUsed() throws Exception {
        String json = Snapshots.toJson(TestSnapshots.frontend(Map.of()));
        Path path = dir.resolve("snapshot.json");
        Files.writeString(path, json.substring(0, json.length() / 2));

        assertThat(SnapshotFile.at(path).load()).isEmpty();
    }
}
