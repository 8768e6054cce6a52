package dev.trellis.ca.authority;

import static dev.trellis.ca.testing.TestMesh.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.ca.api.IdentityProof;
import dev.trellis.ca.api.IssueJson;
import dev.trellis.ca.api.IssueRequest;
import dev.trellis.ca.api.IssueResponse;
import dev.trellis.ca.identity.BootstrapTokenVerifier;
import dev.trellis.ca.identity.IdentityRefusedException;
import dev.trellis.ca.identity.IdentityVerifiers;
import dev.trellis.ca.pki.KeyPairs;
import dev.trellis.ca.pki.Pem;
import dev.trellis.ca.pki.SpiffeSans;
import dev.trellis.ca.testing.Csr;
import dev.trellis.ca.testing.TestMesh;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("CertificateAuthorityService: POST /v1/certificates, signs only what the caller proved")
class CertificateAuthorityServiceTest {

    private static final String SECRET = "local-bootstrap-secret-0123456789";

    private final TestMesh mesh = new TestMesh();
    private final CertificateAuthorityService service = CertificateAuthorityService.of(mesh.ca, IdentityVerifiers.builder()
            .bootstrap(BootstrapTokenVerifier.of(TestMesh.TRUST_DOMAIN, TestMesh.MESH, SECRET))
            .build());

    @Test
    void GIVEN_the_bootstrap_token_WHEN_a_CSR_for_orders_is_posted_THEN_200_with_a_24h_leaf_whose_only_URI_SAN_is_orders() {
        HttpReply reply = service.handle(body(Csr.pem(id("orders")), new IdentityProof.BootstrapToken(SECRET)));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.contentType()).isEqualTo("application/json");
        IssueResponse response = IssueJson.readResponse(reply.body());
        X509Certificate leaf = Pem.decodeCertificates("chain", response.certificateChainPem()).get(0);
        assertThat(SpiffeSans.uris(leaf)).containsExactly("spiffe://example.org/mesh/shop/service/orders");
        assertThat(Duration.between(Instant.now(), response.notAfter())).isBetween(Duration.ofHours(23), Duration.ofHours(24));
        assertThat(leaf.getNotAfter().toInstant()).isEqualTo(response.notAfter().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        assertThat(Pem.decodeCertificates("bundle", response.trustBundlePem())).containsExactly(mesh.ca.activeRoot());
        assertThat(service.issuedCount()).isEqualTo(1);
    }

    @Test
    void GIVEN_a_caller_that_proved_orders_WHEN_it_asks_for_payments_THEN_403_naming_both_identities() {
        CertificateAuthorityService provesOrders = CertificateAuthorityService.of(mesh.ca, (proof, requested) -> id("orders"));

        HttpReply reply = provesOrders.handle(body(Csr.pem(id("payments")), new IdentityProof.BootstrapToken(SECRET)));

        assertThat(reply.status()).isEqualTo(403);
        assertThat(IssueJson.readError(reply.body())).isEqualTo("identity: spiffe://example.org/mesh/shop/service/payments"
                + " (expected: the identity proven by the caller, spiffe://example.org/mesh/shop/service/orders)");
        assertThat(provesOrders.issuedCount()).isZero();
        assertThat(provesOrders.refusedCount()).isEqualTo(1);
    }

    @Test
    void GIVEN_a_CA_that_knows_the_mesh_spec_WHEN_a_bootstrap_caller_asks_for_a_service_not_in_it_THEN_403_listing_the_services() {
        CertificateAuthorityService specAware = CertificateAuthorityService.of(mesh.ca, IdentityVerifiers.builder()
                .bootstrap(BootstrapTokenVerifier.of(TestMesh.TRUST_DOMAIN, TestMesh.MESH, SECRET)).build(),
                () -> java.util.Set.of("orders", "payments"));

        HttpReply reply = specAware.handle(body(Csr.pem(id("ghost")), new IdentityProof.BootstrapToken(SECRET)));

        assertThat(reply.status()).isEqualTo(403);
        assertThat(IssueJson.readError(reply.body())).isEqualTo("identity: spiffe://example.org/mesh/shop/service/ghost"
                + " (expected: a service of the mesh spec, one of [orders, payments])");
        assertThat(specAware.handle(body(Csr.pem(id("orders")), new IdentityProof.BootstrapToken(SECRET))).status()).isEqualTo(200);
    }

    @Test
    void GIVEN_a_wrong_bootstrap_token_WHEN_posted_THEN_403_without_echoing_the_token() {
        HttpReply reply = service.handle(body(Csr.pem(id("orders")), new IdentityProof.BootstrapToken("guessed-token-0123456789")));

        assertThat(reply.status()).isEqualTo(403);
        assertThat(IssueJson.readError(reply.body()))
                .isEqualTo("proof.token: [redacted] (expected: the bootstrap token of mesh shop)")
                .doesNotContain("guessed");
    }

    @Test
    void GIVEN_a_CSR_for_another_mesh_WHEN_posted_THEN_403_naming_this_mesh() {
        HttpReply reply = service.handle(body(Csr.pem(dev.trellis.naming.SpiffeId.of("example.org", "other", "orders")),
                new IdentityProof.BootstrapToken(SECRET)));

        assertThat(reply.status()).isEqualTo(403);
        assertThat(IssueJson.readError(reply.body())).isEqualTo("identity: spiffe://example.org/mesh/other/service/orders"
                + " (expected: spiffe://example.org/mesh/shop/service/<name>, this mesh)");
    }

    @Test
    void GIVEN_a_proof_kind_this_CA_does_not_accept_WHEN_posted_THEN_403_listing_the_accepted_kinds() {
        HttpReply reply = service.handle(body(Csr.pem(id("orders")), new IdentityProof.KubernetesToken("eyJ...")));

        assertThat(reply.status()).isEqualTo(403);
        assertThat(IssueJson.readError(reply.body())).isEqualTo("proof.kind: k8s-token (expected: one of [bootstrap], the kinds this mesh CA accepts)");
    }

    @Test
    void GIVEN_an_identity_backend_that_does_not_answer_WHEN_posted_THEN_503() {
        CertificateAuthorityService down = CertificateAuthorityService.of(mesh.ca, (proof, requested) -> {
            throw IdentityRefusedException.unavailable("STS at http://127.0.0.1:1: connection refused (expected: an answer)", null);
        });

        HttpReply reply = down.handle(body(Csr.pem(id("orders")), new IdentityProof.BootstrapToken(SECRET)));

        assertThat(reply.status()).isEqualTo(503);
        assertThat(IssueJson.readError(reply.body())).startsWith("STS at http://127.0.0.1:1");
    }

    @Test
    void GIVEN_malformed_JSON_WHEN_posted_THEN_400_saying_what_was_expected() {
        HttpReply reply = service.handle("{\"csrPem\": ".getBytes(StandardCharsets.UTF_8));

        assertThat(reply.status()).isEqualTo(400);
        assertThat(IssueJson.readError(reply.body())).startsWith("body: malformed JSON").contains("(expected: {\"csrPem\"");
    }

    @Test
    void GIVEN_an_unknown_proof_kind_WHEN_posted_THEN_400_listing_the_kinds() {
        HttpReply reply = service.handle("{\"csrPem\":\"x\",\"proof\":{\"kind\":\"password\"}}".getBytes(StandardCharsets.UTF_8));

        assertThat(reply.status()).isEqualTo(400);
        assertThat(IssueJson.readError(reply.body())).isEqualTo("proof.kind: password (expected: aws-sts, k8s-token or bootstrap)");
    }

    @Test
    void GIVEN_a_CSR_with_two_URI_SANs_WHEN_posted_THEN_400() throws Exception {
        var pair = KeyPairs.generateP256();
        var extensions = new org.bouncycastle.asn1.x509.ExtensionsGenerator();
        extensions.addExtension(org.bouncycastle.asn1.x509.Extension.subjectAlternativeName, false,
                new org.bouncycastle.asn1.x509.GeneralNames(new org.bouncycastle.asn1.x509.GeneralName[] {
                        new org.bouncycastle.asn1.x509.GeneralName(6, id("orders").uri()),
                        new org.bouncycastle.asn1.x509.GeneralName(6, id("admin").uri())}));
        String csr = Pem.encodeCsr(new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=x"), pair.getPublic())
                .addAttribute(org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));

        HttpReply reply = service.handle(body(csr, new IdentityProof.BootstrapToken(SECRET)));

        assertThat(reply.status()).isEqualTo(400);
        assertThat(IssueJson.readError(reply.body())).isEqualTo("csrPem.uriSans: [" + id("orders") + ", " + id("admin")
                + "] (expected: exactly one spiffe://example.org/mesh/shop/service/<name>)");
    }

    @Test
    void GIVEN_a_CSR_with_an_RSA_key_WHEN_posted_THEN_400_asking_for_EC_P256() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        var pair = rsa.generateKeyPair();
        String csr = Pem.encodeCsr(new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=x"), pair.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(pair.getPrivate())));

        HttpReply reply = service.handle(body(csr, new IdentityProof.BootstrapToken(SECRET)));

        assertThat(reply.status()).isEqualTo(400);
        assertThat(IssueJson.readError(reply.body())).isEqualTo("csrPem.publicKey: RSA (expected: EC P-256)");
    }

    @Test
    void GIVEN_a_CSR_whose_signature_was_tampered_with_WHEN_issued_THEN_refused_with_400() {
        String good = Csr.pem(id("orders"));
        var csr = Pem.decodeCsr("csr", good);
        byte[] der;
        try {
            der = csr.getEncoded();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        der[der.length - 5] ^= 0x01;
        String tampered = "-----BEGIN CERTIFICATE REQUEST-----\n"
                + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END CERTIFICATE REQUEST-----\n";

        assertThatThrownBy(() -> service.issue(new IssueRequest(tampered, new IdentityProof.BootstrapToken(SECRET))))
                .isInstanceOf(IssueRefusedException.class)
                .hasMessageStartingWith("csrPem")
                .extracting(e -> ((IssueRefusedException) e).status()).isEqualTo(400);
    }

    private static byte[] body(String csrPem, IdentityProof proof) {
        return IssueJson.write(new IssueRequest(csrPem, proof));
    }

}
