package dev.trellis.controller.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.controller.testing.TestMesh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Polling a spec file: what is published, what is refused, what is ignored. */
class SpecWatcherTest {

    @TempDir
    Path dir;

    private SpecWatcher watcher(Path file, List<LoadedSpec> published) {
        SpecWatcher watcher = SpecWatcher.builder(new FileSpecReader(file)).interval(Duration.ofMillis(20)).build();
        watcher.subscribe(published::add);
        return watcher;
    }

    @Test
    @DisplayName("GIVEN a valid spec file WHEN the watcher starts THEN the spec is in force before start returns")
    void firstSpecIsLoadedByStart() {
        Path file = dir.resolve("mesh.yaml");
        TestMesh.write(file, TestMesh.SHOP);
        List<LoadedSpec> published = new CopyOnWriteArrayList<>();

        try (SpecWatcher watcher = watcher(file, published).start()) {
            assertThat(watcher.current()).hasValueSatisfying(s -> {
                assertThat(s.spec().mesh()).isEqualTo("shop");
                assertThat(s.source()).isEqualTo("file:" + file.toAbsolutePath());
            });
            assertThat(published).hasSize(1);
        }
    }

    @Test
    @DisplayName("GIVEN a loaded spec WHEN only comments and spacing change THEN no new spec is published")
    void cosmeticChangesPublishNothing() throws Exception {
        Path file = dir.resolve("mesh.yaml");
        TestMesh.write(file, TestMesh.SHOP);
        List<LoadedSpec> published = new CopyOnWriteArrayList<>();

        try (SpecWatcher watcher = watcher(file, published).start()) {
            TestMesh.write(file, "# a comment\n" + TestMesh.SHOP + "\n\n");
            Thread.sleep(200);

            assertThat(published).hasSize(1);
        }
    }

    @Test
    @DisplayName("GIVEN a loaded spec WHEN the file disappears THEN the spec stays in force and nothing is rejected")
    void unreadableFileKeepsTheSpec() throws Exception {
        Path file = dir.resolve("mesh.yaml");
        TestMesh.write(file, TestMesh.SHOP);
        List<LoadedSpec> published = new CopyOnWriteArrayList<>();

        try (SpecWatcher watcher = watcher(file, published).start()) {
            String version = watcher.current().orElseThrow().version();
            Files.delete(file);
            Thread.sleep(200);

            assertThat(watcher.current().orElseThrow().version()).isEqualTo(version);
            assertThat(watcher.lastRejection()).isEmpty();
            assertThat(published).hasSize(1);
        }
    }

    @Test
    @DisplayName("GIVEN a loaded spec WHEN the file becomes invalid, then valid again THEN the invalid one is rejected with its problems and the valid one is published")
    void invalidThenValid() throws Exception {
        Path file = dir.resolve("mesh.yaml");
        TestMesh.write(file, TestMesh.SHOP);
        List<LoadedSpec> published = new CopyOnWriteArrayList<>();

        try (SpecWatcher watcher = watcher(file, published).start()) {
            TestMesh.write(file, TestMesh.shopWithInvalidPort());
            awaitCondition(() -> watcher.lastRejection().isPresent());

            assertThat(watcher.lastRejection().orElseThrow().problems())
                    .containsExactly("services[payments].port: 0 (expected: 1..65535)");
            assertThat(published).hasSize(1);

            TestMesh.write(file, TestMesh.shopWithCanary(20));
            awaitCondition(() -> published.size() == 2);
            assertThat(watcher.current().orElseThrow()).isEqualTo(published.get(1));
        }
    }

    @Test
    @DisplayName("GIVEN two specs with the same services in another order THEN their versions are equal")
    void versionIgnoresServiceOrder() {
        var spec = dev.trellis.spec.MeshSpecs.parseYaml(TestMesh.SHOP);
        var services = new java.util.ArrayList<>(spec.services());
        java.util.Collections.reverse(services);
        var reversed = new dev.trellis.spec.MeshSpec(spec.apiVersion(), spec.mesh(), spec.trustDomain(), spec.tls(),
                spec.defaultPolicy(), services);

        assertThat(LoadedSpec.versionOf(reversed)).isEqualTo(LoadedSpec.versionOf(spec)).hasSize(16);
    }

    private static void awaitCondition(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5s");
            }
            Thread.sleep(10);
        }
    }
}
