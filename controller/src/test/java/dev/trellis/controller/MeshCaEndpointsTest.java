package dev.trellis.controller;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.ca.pki.Csrs;
import dev.trellis.ca.pki.KeyPairs;
import dev.trellis.ca.pki.Pem;
import dev.trellis.ca.pki.SpiffeSans;
import dev.trellis.controller.testing.Http;
import dev.trellis.controller.testing.TestMesh;
import dev.trellis.naming.SpiffeId;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mesh CA as the controller serves it in local mode (bootstrap token, CA root in a file). */
class MeshCaEndpointsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "local-bootstrap-secret";

    @TempDir
    Path dir;
    private Controller controller;

    @BeforeEach
    void start() throws Exception {
        Path spec = dir.resolve("mesh.yaml");
        TestMesh.write(spec, TestMesh.SHOP);
        controller = Main.startForTest("--spec-file", spec.toString(), "--host", "127.0.0.1", "--port", "0",
                "--bootstrap-token", TOKEN, "--ca-file", dir.resolve("ca.json").toString());
    }

    @AfterEach
    void stop() {
        controller.close();
    }

    @Test
    @DisplayName("GIVEN a CSR for orders and the bootstrap token WHEN POSTed to /v1/certificates THEN a certificate for orders' SPIFFE ID comes back, chained to the trust bundle")
    void issuesACertificateForAProvenService() throws Exception {
        HttpResponse<String> response = issue("orders", TOKEN);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        List<X509Certificate> chain = Pem.decodeCertificates("chain", body.get("certificateChainPem").asText());
        assertThat(SpiffeSans.uris(chain.get(0))).containsExactly("spiffe://shop.trellis.local/mesh/shop/service/orders");
        String bundle = Http.get(controller.uri().resolve("/v1/trust-bundle")).body();
        assertThat(body.get("trustBundlePem").asText()).isEqualTo(bundle);
        X509Certificate root = Pem.decodeCertificates("bundle", bundle).get(0);
        chain.get(chain.size() - 1).verify(root.getPublicKey());
    }

    @Test
    @DisplayName("GIVEN a wrong bootstrap token WHEN a certificate is asked for THEN 403 and no certificate")
    void refusesAWrongToken() throws Exception {
        HttpResponse<String> response = issue("orders", "guess");

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(response.body()).get("error").asText()).contains("proof.token");
    }

    @Test
    @DisplayName("GIVEN a service the spec does not have WHEN a certificate is asked for it THEN it is refused")
    void refusesServicesOutsideTheSpec() {
        HttpResponse<String> response = issue("inventory", TOKEN);

        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("inventory");
    }

    @Test
    @DisplayName("GIVEN a controller restarted on the same CA file THEN it serves the same trust bundle")
    void caRootSurvivesARestart() throws Exception {
        String before = Http.get(controller.uri().resolve("/v1/trust-bundle")).body();
        controller.close();

        controller = Main.startForTest("--spec-file", dir.resolve("mesh.yaml").toString(), "--host", "127.0.0.1",
                "--port", "0", "--bootstrap-token", TOKEN, "--ca-file", dir.resolve("ca.json").toString());

        assertThat(Http.get(controller.uri().resolve("/v1/trust-bundle")).body()).isEqualTo(before).startsWith("-----BEGIN CERTIFICATE-----");
    }

    private HttpResponse<String> issue(String service, String token) {
        var csr = Csrs.create(KeyPairs.generateP256(), SpiffeId.of("shop.trellis.local", "shop", service));
        String body = JSON.createObjectNode()
                .put("csrPem", Pem.encodeCsr(csr))
                .set("proof", JSON.createObjectNode().put("kind", "bootstrap").put("token", token)).toString();
        return Http.send(HttpRequest.newBuilder(controller.uri().resolve("/v1/certificates"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }
}
