package dev.trellis.ca.authority;

import static dev.trellis.ca.testing.TestMesh.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.ca.pki.KeyPairs;
import dev.trellis.ca.pki.SpiffeSans;
import dev.trellis.ca.store.CaStore;
import dev.trellis.ca.testing.TestMesh;
import dev.trellis.ca.tls.PeerRejectedException;
import dev.trellis.ca.tls.PeerRejection;
import dev.trellis.ca.tls.PeerRejections;
import dev.trellis.ca.tls.PeerVerifier;
import dev.trellis.naming.SpiffeId;
import dev.trellis.testing.time.MutableClock;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("MeshCa: leaves, trust bundle, and root rotation with overlap")
class MeshCaTest {

    private final MutableClock clock = new MutableClock(Instant.now());
    private final CaStore store = CaStore.inMemory();
    private final MeshCa ca = MeshCa.builder().trustDomain(TestMesh.TRUST_DOMAIN).mesh(TestMesh.MESH)
            .store(store).clock(clock).build();

    @Test
    void GIVEN_an_empty_store_WHEN_the_CA_is_built_THEN_it_creates_and_saves_one_self_signed_CA_root() throws Exception {
        X509Certificate root = ca.activeRoot();

        assertThat(store.load()).isPresent();
        assertThat(root.getBasicConstraints()).isNotNegative();
        root.verify(root.getPublicKey());
        assertThat(ca.trustBundle()).containsExactly(root);
        assertThat(ca.trustBundlePem()).startsWith("-----BEGIN CERTIFICATE-----");
    }

    @Test
    void GIVEN_a_stored_CA_WHEN_built_again_from_the_same_store_THEN_it_is_the_same_root() {
        MeshCa again = MeshCa.builder().trustDomain(TestMesh.TRUST_DOMAIN).mesh(TestMesh.MESH).store(store).build();

        assertThat(again.activeRoot()).isEqualTo(ca.activeRoot());
    }

    @Test
    void GIVEN_a_public_key_WHEN_a_leaf_is_issued_THEN_it_is_a_24h_end_entity_with_one_URI_SAN_for_client_and_server_auth()
            throws Exception {
        IssuedCertificate issued = ca.issue(KeyPairs.generateP256().getPublic(), id("orders"));
        X509Certificate leaf = issued.leaf();

        leaf.verify(ca.activeRoot().getPublicKey());
        assertThat(SpiffeSans.uris(leaf)).containsExactly(id("orders").uri());
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(leaf.getExtendedKeyUsage()).containsExactlyInAnyOrder("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(issued.notAfter()).isEqualTo(clock.instant().plus(Duration.ofHours(24)));
        assertThat(leaf.getNotBefore().toInstant()).isBefore(clock.instant());
    }

    @Test
    void GIVEN_an_identity_of_another_mesh_WHEN_issued_THEN_refused_naming_this_mesh() {
        assertThatThrownBy(() -> ca.issue(KeyPairs.generateP256().getPublic(), SpiffeId.of("example.org", "other", "orders")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("identity: spiffe://example.org/mesh/other/service/orders (expected: spiffe://example.org/mesh/shop/service/<name>)");
    }

    @Test
    void GIVEN_a_staged_next_root_WHEN_leaves_are_issued_THEN_the_bundle_holds_both_roots_and_the_old_root_still_signs() throws Exception {
        X509Certificate old = ca.activeRoot();

        X509Certificate next = ca.stageNextRoot();

        assertThat(ca.trustBundle()).containsExactly(old, next);
        ca.issue(KeyPairs.generateP256().getPublic(), id("orders")).leaf().verify(old.getPublicKey());
    }

    @Test
    void GIVEN_an_activated_next_root_WHEN_a_leaf_is_issued_THEN_the_new_root_signs_it_and_the_bundle_still_holds_the_old_root()
            throws Exception {
        X509Certificate oldRoot = ca.activeRoot();
        ca.stageNextRoot();

        X509Certificate newRoot = ca.activateNextRoot();
        X509Certificate newLeaf = ca.issue(KeyPairs.generateP256().getPublic(), id("payments")).leaf();

        assertThat(ca.activeRoot()).isEqualTo(newRoot).isNotEqualTo(oldRoot);
        newLeaf.verify(newRoot.getPublicKey());
        assertThat(ca.trustBundle()).containsExactly(newRoot, oldRoot);
    }

    @Test
    void GIVEN_a_leaf_from_the_old_root_WHEN_verified_during_the_overlap_and_after_it_THEN_accepted_then_refused() throws Exception {
        X509Certificate oldRoot = ca.activeRoot();
        ca.stageNextRoot();
        clock.advance(Duration.ofHours(12));
        IssuedCertificate lastFromOld = ca.issue(KeyPairs.generateP256().getPublic(), id("orders"));
        ca.activateNextRoot();

        clock.advance(Duration.ofHours(23));
        PeerVerifier duringOverlap = PeerVerifier.of(TestMesh.TRUST_DOMAIN, ca.trustBundle(), new PeerRejections(), clock);
        assertThat(duringOverlap.verify(lastFromOld.chain(), Optional.of(id("orders")))).isEqualTo(id("orders"));

        clock.advance(Duration.ofHours(2));
        assertThat(ca.trustBundle()).doesNotContain(oldRoot).containsExactly(ca.activeRoot());
        PeerVerifier afterOverlap = PeerVerifier.of(TestMesh.TRUST_DOMAIN, ca.trustBundle(), new PeerRejections(), clock);
        assertThatThrownBy(() -> afterOverlap.verify(lastFromOld.chain(), Optional.empty()))
                .isInstanceOf(PeerRejectedException.class)
                .extracting(e -> ((PeerRejectedException) e).reason()).isEqualTo(PeerRejection.EXPIRED);
    }

    @Test
    void GIVEN_a_rotation_WHEN_the_CA_is_reloaded_from_its_store_THEN_active_and_retiring_roots_survive() {
        X509Certificate oldRoot = ca.activeRoot();
        X509Certificate newRoot = ca.rotate();

        MeshCa reloaded = MeshCa.builder().trustDomain(TestMesh.TRUST_DOMAIN).mesh(TestMesh.MESH).store(store).clock(clock).build();

        assertThat(reloaded.activeRoot()).isEqualTo(newRoot);
        assertThat(reloaded.trustBundle()).containsExactly(newRoot, oldRoot);
    }

    @Test
    void GIVEN_no_staged_root_WHEN_activating_THEN_refused_saying_what_to_do_first() {
        assertThatThrownBy(ca::activateNextRoot)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("next root: none staged (expected: stageNextRoot() first)");
    }

    @Test
    void GIVEN_a_leaf_lifetime_of_zero_WHEN_built_THEN_refused_with_the_range() {
        assertThatThrownBy(() -> MeshCa.builder().trustDomain("example.org").mesh("shop").store(CaStore.inMemory())
                .leafLifetime(Duration.ZERO).build())
                .hasMessage("leafLifetime: PT0S (expected: PT1S..P30D)");
    }

    @Test
    void GIVEN_a_short_lived_root_WHEN_a_leaf_would_outlive_it_THEN_the_leaf_ends_with_the_root() {
        MeshCa shortRoot = MeshCa.builder().trustDomain("example.org").mesh("shop").store(CaStore.inMemory())
                .rootLifetime(Duration.ofDays(7)).leafLifetime(Duration.ofDays(30)).clock(clock).build();

        IssuedCertificate issued = shortRoot.issue(KeyPairs.generateP256().getPublic(), SpiffeId.of("example.org", "shop", "a"));

        assertThat(issued.notAfter()).isEqualTo(shortRoot.activeRoot().getNotAfter().toInstant());
        assertThat(List.of(issued.leaf())).hasSize(1);
    }

    @Test
    void GIVEN_a_leaf_for_orders_WHEN_issued_THEN_it_also_carries_the_mesh_host_name_as_a_DNS_SAN() throws Exception {
        X509Certificate leaf = ca.issue(KeyPairs.generateP256().getPublic(), id("orders")).leaf();

        assertThat(leaf.getSubjectAlternativeNames()).extracting(name -> name.get(0) + " " + name.get(1))
                .containsExactly("6 " + id("orders").uri(), "2 orders.shop.local");
    }

    @Test
    void GIVEN_a_CA_with_its_own_namespace_WHEN_a_leaf_is_issued_THEN_the_DNS_SAN_is_in_that_namespace() throws Exception {
        MeshCa other = MeshCa.builder().trustDomain(TestMesh.TRUST_DOMAIN).mesh(TestMesh.MESH).store(CaStore.inMemory())
                .namespace("prod.internal").build();

        X509Certificate leaf = other.issue(KeyPairs.generateP256().getPublic(), id("orders")).leaf();

        assertThat(leaf.getSubjectAlternativeNames()).extracting(name -> String.valueOf(name.get(1))).contains("orders.prod.internal");
    }
}
