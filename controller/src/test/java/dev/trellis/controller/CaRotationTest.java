package dev.trellis.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.ca.authority.MeshCa;
import dev.trellis.ca.identity.BootstrapTokenVerifier;
import dev.trellis.ca.pki.Pem;
import dev.trellis.ca.store.CaStore;
import dev.trellis.controller.registry.Registry;
import dev.trellis.controller.spec.FileSpecReader;
import dev.trellis.controller.testing.Http;
import dev.trellis.controller.testing.TestMesh;
import dev.trellis.testing.time.MutableClock;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mesh CA's own rotation, scheduled by the controller: staged when the root nears its end, signing a leaf lifetime later. */
class CaRotationTest {

    private static final String TOKEN = "local-bootstrap-secret";

    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private CaStore store;
    private Controller controller;

    @BeforeEach
    void firstRoot() throws Exception {
        TestMesh.write(dir.resolve("mesh.yaml"), TestMesh.SHOP);
        store = CaStore.file(dir.resolve("ca.json"));
        MeshCa.builder().trustDomain("shop.trellis.local").mesh("shop").store(store).clock(clock).build();
    }

    @AfterEach
    void stop() {
        if (controller != null) {
            controller.close();
        }
    }

    private Controller start(Duration renewBefore) throws Exception {
        MeshCa ca = MeshCa.builder().trustDomain("shop.trellis.local").mesh("shop").store(store).clock(clock).build();
        return Controller.builder(new FileSpecReader(dir.resolve("mesh.yaml")), Registry.inMemory())
                .host("127.0.0.1").port(0)
                .certificates(ca, BootstrapTokenVerifier.of("shop.trellis.local", "shop", TOKEN))
                .caRotation(renewBefore, Duration.ofMillis(50))
                .start();
    }

    private List<X509Certificate> trustBundle() {
        return Pem.decodeCertificates("bundle", Http.get(controller.uri().resolve("/v1/trust-bundle")).body());
    }

    @Test
    @DisplayName("GIVEN a root with 25 days left and a 30-day threshold WHEN the controller runs THEN a next root is staged at once and signs one leaf lifetime later, the old one still trusted")
    void stagesThenActivates() throws Exception {
        X509Certificate first = trustBundleOf(store).get(0);
        clock.advance(Duration.ofDays(340));

        controller = start(Duration.ofDays(30));
        List<X509Certificate> staged = trustBundle();
        assertThat(staged).hasSize(2).first().isEqualTo(first);

        clock.advance(MeshCa.DEFAULT_LEAF_LIFETIME.plus(MeshCa.CLOCK_SKEW));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (trustBundle().get(0).equals(first) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }

        assertThat(trustBundle()).containsExactly(staged.get(1), first);
    }

    @Test
    @DisplayName("GIVEN a young root WHEN the controller runs with a 30-day threshold THEN the trust bundle keeps one root")
    void youngRootStays() throws Exception {
        controller = start(Duration.ofDays(30));
        Thread.sleep(200);   // a few checks

        assertThat(trustBundle()).hasSize(1);
    }

    @Test
    @DisplayName("GIVEN a threshold under two leaf lifetimes WHEN the controller starts THEN it refuses to, naming the setting")
    void refusesAShortThreshold() {
        assertThatThrownBy(() -> start(Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("renewBefore: PT1H (expected: at least two leaf lifetimes");
    }

    private static List<X509Certificate> trustBundleOf(CaStore store) {
        return List.of(store.load().orElseThrow().active().certificate());
    }
}
