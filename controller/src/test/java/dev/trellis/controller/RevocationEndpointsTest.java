package dev.trellis.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.ca.pki.Csrs;
import dev.trellis.ca.pki.KeyPairs;
import dev.trellis.ca.pki.Pem;
import dev.trellis.controller.testing.Http;
import dev.trellis.controller.testing.TestMesh;
import dev.trellis.naming.SpiffeId;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Revocation as the controller serves it: POST /v1/revocations for the admin token, GET /v1/crl for everyone. */
class RevocationEndpointsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BOOTSTRAP_TOKEN = "local-bootstrap-secret";
    private static final String ADMIN_TOKEN = "local-admin-secret-0123";

    @TempDir
    Path dir;
    private Controller controller;

    @BeforeEach
    void start() throws Exception {
        TestMesh.write(dir.resolve("mesh.yaml"), TestMesh.SHOP);
        controller = startController("--admin-token", ADMIN_TOKEN);
    }

    private Controller startController(String... extra) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--spec-file", dir.resolve("mesh.yaml").toString(),
                "--host", "127.0.0.1", "--port", "0", "--bootstrap-token", BOOTSTRAP_TOKEN,
                "--ca-file", dir.resolve("ca.json").toString()));
        args.addAll(List.of(extra));
        return Main.startForTest(args.toArray(String[]::new));
    }

    @AfterEach
    void stop() {
        controller.close();
    }

    @Test
    @DisplayName("GIVEN a certificate issued by the controller THEN it names the controller's /v1/crl as CRL distribution point and orders.shop.local as DNS SAN")
    void leavesNameTheCrlAndTheHostName() throws Exception {
        X509Certificate leaf = issue("orders");

        CRLDistPoint points = CRLDistPoint.getInstance(JcaX509ExtensionUtils.parseExtensionValue(
                leaf.getExtensionValue(Extension.cRLDistributionPoints.getId())));
        assertThat(GeneralNames.getInstance(points.getDistributionPoints()[0].getDistributionPoint().getName()).getNames()[0]
                .getName().toString()).isEqualTo(controller.uri() + "/v1/crl");
        assertThat(leaf.getSubjectAlternativeNames()).extracting(name -> String.valueOf(name.get(1))).contains("orders.shop.local");
    }

    @Test
    @DisplayName("GIVEN --controller-url WHEN a certificate is issued THEN its CRL distribution point is that URL's /v1/crl")
    void controllerUrlNamesTheCrl() throws Exception {
        controller.close();
        controller = startController("--controller-url", "http://trellis-controller.shop.internal:9090");

        X509Certificate leaf = issue("orders");

        CRLDistPoint points = CRLDistPoint.getInstance(JcaX509ExtensionUtils.parseExtensionValue(
                leaf.getExtensionValue(Extension.cRLDistributionPoints.getId())));
        assertThat(GeneralNames.getInstance(points.getDistributionPoints()[0].getDistributionPoint().getName()).getNames()[0]
                .getName().toString()).isEqualTo("http://trellis-controller.shop.internal:9090/v1/crl");
    }

    @Test
    @DisplayName("GIVEN no Authorization header WHEN a revocation is posted THEN 401 with a Bearer challenge, and the CRL does not list the serial")
    void refusesAnUnauthenticatedRevocation() throws Exception {
        X509Certificate leaf = issue("orders");

        HttpResponse<String> response = revoke(leaf, null);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(crl().isRevoked(leaf)).isFalse();
    }

    @Test
    @DisplayName("GIVEN the bootstrap token (what every local proxy holds) as bearer WHEN a revocation is posted THEN 401")
    void refusesTheBootstrapTokenAsAdmin() throws Exception {
        X509Certificate leaf = issue("orders");

        assertThat(revoke(leaf, BOOTSTRAP_TOKEN).statusCode()).isEqualTo(401);
        assertThat(crl().isRevoked(leaf)).isFalse();
    }

    @Test
    @DisplayName("GIVEN the admin token WHEN a serial is revoked THEN GET /v1/crl, signed by the mesh root, lists it and not the other leaf")
    void revokedSerialIsOnTheCrl() throws Exception {
        X509Certificate revoked = issue("orders");
        X509Certificate kept = issue("orders");

        HttpResponse<String> response = revoke(revoked, ADMIN_TOKEN);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).get("revoked").get(0).get("serial").asText())
                .isEqualTo(revoked.getSerialNumber().toString(16));
        X509CRL crl = crl();
        X509Certificate root = Pem.decodeCertificates("bundle", Http.get(controller.uri().resolve("/v1/trust-bundle")).body()).get(0);
        crl.verify(root.getPublicKey());
        assertThat(crl.isRevoked(revoked)).isTrue();
        assertThat(crl.isRevoked(kept)).isFalse();
    }

    @Test
    @DisplayName("GIVEN a controller without --admin-token WHEN a revocation is posted THEN 403 naming the missing setting")
    void refusesRevocationsWithoutAnAdminToken() throws Exception {
        controller.close();
        controller = startController();

        HttpResponse<String> response = revoke(issue("orders"), ADMIN_TOKEN);

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("admin token: none configured (expected: the controller started with --admin-token");
    }

    @Test
    @DisplayName("GIVEN --admin-token equal to --bootstrap-token WHEN the controller starts THEN it refuses to")
    void refusesTheBootstrapTokenAsAdminToken() {
        assertThatThrownBy(() -> startController("--admin-token", BOOTSTRAP_TOKEN))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageStartingWith("--admin-token: the bootstrap token (expected: a token of its own");
    }

    private X509Certificate issue(String service) throws Exception {
        var csr = Csrs.create(KeyPairs.generateP256(), SpiffeId.of("shop.trellis.local", "shop", service));
        String body = JSON.createObjectNode()
                .put("csrPem", Pem.encodeCsr(csr))
                .set("proof", JSON.createObjectNode().put("kind", "bootstrap").put("token", BOOTSTRAP_TOKEN)).toString();
        HttpResponse<String> response = Http.send(HttpRequest.newBuilder(controller.uri().resolve("/v1/certificates"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(response.statusCode()).isEqualTo(200);
        return Pem.decodeCertificates("chain", JSON.readTree(response.body()).get("certificateChainPem").asText()).get(0);
    }

    private HttpResponse<String> revoke(X509Certificate leaf, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(controller.uri().resolve("/v1/revocations"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"serial\":\"" + leaf.getSerialNumber().toString(16) + "\"}"));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return Http.send(request.build());
    }

    private X509CRL crl() throws Exception {
        HttpResponse<byte[]> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(controller.uri().resolve("/v1/crl")).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/pkix-crl");
        return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(response.body()));
    }
}
