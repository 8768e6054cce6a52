package dev.trellis.ca.authority;

import static dev.trellis.ca.testing.TestMesh.id;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.ca.pki.KeyPairs;
import dev.trellis.ca.store.CaStore;
import dev.trellis.ca.store.RevokedCertificate;
import dev.trellis.ca.testing.TestMesh;
import dev.trellis.testing.time.MutableClock;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("MeshCa revocation: revoked serials and identities, stored, on a CRL signed by the active root")
class RevocationTest {

    // Whole seconds: CRL dates have one-second precision.
    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private final CaStore store = CaStore.inMemory();
    private final MeshCa ca = MeshCa.builder().trustDomain(TestMesh.TRUST_DOMAIN).mesh(TestMesh.MESH).store(store).clock(clock)
            .crlDistributionPoint(URI.create("http://controller.example:9090/v1/crl")).build();

    private X509Certificate issue(String service) {
        return ca.issue(KeyPairs.generateP256().getPublic(), id(service)).leaf();
    }

    private static Set<BigInteger> serials(X509CRL crl) {
        Set<? extends X509CRLEntry> entries = crl.getRevokedCertificates();
        return entries == null ? Set.of() : entries.stream().map(X509CRLEntry::getSerialNumber).collect(Collectors.toSet());
    }

    private static BigInteger number(X509CRL crl) throws Exception {
        return CRLNumber.getInstance(JcaX509ExtensionUtils.parseExtensionValue(
                crl.getExtensionValue(Extension.cRLNumber.getId()))).getCRLNumber();
    }

    @Test
    void GIVEN_a_CA_with_a_CRL_URL_WHEN_a_leaf_is_issued_THEN_it_names_the_URL_as_its_CRL_distribution_point() throws Exception {
        X509Certificate leaf = issue("orders");

        CRLDistPoint points = CRLDistPoint.getInstance(JcaX509ExtensionUtils.parseExtensionValue(
                leaf.getExtensionValue(Extension.cRLDistributionPoints.getId())));
        GeneralName[] names = GeneralNames.getInstance(points.getDistributionPoints()[0].getDistributionPoint().getName()).getNames();
        assertThat(names).extracting(name -> name.getTagNo() + " " + name.getName())
                .containsExactly(GeneralName.uniformResourceIdentifier + " http://controller.example:9090/v1/crl");
    }

    @Test
    void GIVEN_a_CA_without_a_CRL_URL_WHEN_a_leaf_is_issued_THEN_it_has_no_CRL_distribution_point() {
        MeshCa plain = MeshCa.builder().trustDomain(TestMesh.TRUST_DOMAIN).mesh(TestMesh.MESH).store(CaStore.inMemory()).build();

        X509Certificate leaf = plain.issue(KeyPairs.generateP256().getPublic(), id("orders")).leaf();

        assertThat(leaf.getExtensionValue(Extension.cRLDistributionPoints.getId())).isNull();
    }

    @Test
    void GIVEN_nothing_revoked_WHEN_the_CRL_is_read_THEN_it_is_empty_signed_by_the_active_root_with_nextUpdate_one_CRL_lifetime_on()
            throws Exception {
        X509CRL crl = ca.revocationList();

        crl.verify(ca.activeRoot().getPublicKey());
        assertThat(crl.getIssuerX500Principal()).isEqualTo(ca.activeRoot().getSubjectX500Principal());
        assertThat(serials(crl)).isEmpty();
        assertThat(crl.getThisUpdate().toInstant()).isEqualTo(clock.instant());
        assertThat(crl.getNextUpdate().toInstant()).isEqualTo(clock.instant().plus(MeshCa.DEFAULT_CRL_LIFETIME));
    }

    @Test
    void GIVEN_two_leaves_WHEN_one_is_revoked_by_serial_THEN_a_new_CRL_with_a_higher_number_lists_it_and_not_the_other()
            throws Exception {
        X509Certificate revoked = issue("orders");
        X509Certificate kept = issue("orders");
        X509CRL before = ca.revocationList();

        RevokedCertificate entry = ca.revoke(revoked.getSerialNumber());
        X509CRL after = ca.revocationList();

        after.verify(ca.activeRoot().getPublicKey());
        assertThat(serials(after)).containsExactly(revoked.getSerialNumber());
        assertThat(after.isRevoked(kept)).isFalse();
        assertThat(number(after)).isGreaterThan(number(before));
        assertThat(entry.identity()).contains(id("orders").uri());
        assertThat(entry.expiresBy()).isEqualTo(revoked.getNotAfter().toInstant());
    }

    @Test
    void GIVEN_leaves_of_two_services_WHEN_one_identity_is_revoked_THEN_every_leaf_of_it_is_listed_and_none_of_the_other() {
        X509Certificate orders1 = issue("orders");
        X509Certificate orders2 = issue("orders");
        X509Certificate payments = issue("payments");

        List<RevokedCertificate> added = ca.revokeIdentity(id("orders"));

        assertThat(added).extracting(RevokedCertificate::serial)
                .containsExactlyInAnyOrder(orders1.getSerialNumber(), orders2.getSerialNumber());
        assertThat(serials(ca.revocationList())).containsExactlyInAnyOrder(orders1.getSerialNumber(), orders2.getSerialNumber())
                .doesNotContain(payments.getSerialNumber());
    }

    @Test
    void GIVEN_a_serial_this_CA_process_never_signed_WHEN_revoked_THEN_it_is_listed_for_one_leaf_lifetime_with_no_identity() {
        BigInteger unknown = new BigInteger("5f3a0c", 16);

        RevokedCertificate entry = ca.revoke(unknown);

        assertThat(entry.identity()).isEmpty();
        assertThat(entry.expiresBy()).isEqualTo(clock.instant().plus(ca.leafLifetime()).plus(MeshCa.CLOCK_SKEW));
        assertThat(serials(ca.revocationList())).containsExactly(unknown);
    }

    @Test
    void GIVEN_a_revoked_leaf_WHEN_it_has_expired_THEN_the_next_CRL_no_longer_lists_it() {
        X509Certificate leaf = issue("orders");
        ca.revoke(leaf.getSerialNumber());

        clock.advance(ca.leafLifetime().plusMinutes(1));

        assertThat(serials(ca.revocationList())).isEmpty();
        assertThat(ca.revoked()).isEmpty();
    }

    @Test
    void GIVEN_a_leaf_revoked_in_a_file_store_WHEN_the_CA_is_built_again_from_the_file_THEN_its_CRL_still_lists_the_serial(
            @TempDir Path directory) {
        CaStore file = CaStore.file(directory.resolve("ca.json"));
        MeshCa first = MeshCa.builder().trustDomain(TestMesh.TRUST_DOMAIN).mesh(TestMesh.MESH).store(file).build();
        X509Certificate leaf = first.issue(KeyPairs.generateP256().getPublic(), id("orders")).leaf();
        first.revoke(leaf.getSerialNumber());

        MeshCa restarted = MeshCa.builder().trustDomain(TestMesh.TRUST_DOMAIN).mesh(TestMesh.MESH).store(file).build();

        assertThat(serials(restarted.revocationList())).containsExactly(leaf.getSerialNumber());
        assertThat(restarted.revoked().get(0).identity()).isEqualTo(Optional.of(id("orders").uri()));
    }

    @Test
    void GIVEN_a_revoked_leaf_WHEN_the_root_is_rotated_THEN_the_new_root_signs_a_CRL_that_still_lists_it() throws Exception {
        X509Certificate leaf = issue("orders");
        ca.revoke(leaf.getSerialNumber());

        X509Certificate newRoot = ca.rotate();
        X509CRL crl = ca.revocationList();

        crl.verify(newRoot.getPublicKey());
        assertThat(serials(crl)).containsExactly(leaf.getSerialNumber());
    }

    @Test
    void GIVEN_an_unchanged_revoked_set_WHEN_the_CRL_is_read_again_before_half_its_lifetime_THEN_it_is_the_same_CRL_and_after_it_a_newer_one()
            throws Exception {
        X509CRL first = ca.revocationList();
        clock.advance(Duration.ofMinutes(29));
        X509CRL same = ca.revocationList();
        clock.advance(Duration.ofMinutes(2));
        X509CRL resigned = ca.revocationList();

        assertThat(same).isSameAs(first);
        assertThat(number(resigned)).isGreaterThan(number(first));
        assertThat(resigned.getNextUpdate().toInstant()).isEqualTo(clock.instant().plus(MeshCa.DEFAULT_CRL_LIFETIME));
    }
}
