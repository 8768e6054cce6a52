package dev.trellis.eks.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.eks.inject.InjectorConfig;
import dev.trellis.eks.inject.SidecarInjector;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class WebhookServerTest {

    private final WebhookCertificates certificates =
            WebhookCertificates.generate(List.of("localhost", "127.0.0.1"), Duration.ofDays(1));
    private WebhookServer server;

    @BeforeEach
    void start() throws Exception {
        AdmissionWebhook webhook = new AdmissionWebhook(
                new SidecarInjector(new InjectorConfig("shop", "trellis/proxy:0.1", null, "http://controller:8080", true)),
                namespace -> Map.of(), (ns, pod, reason, message) -> { });
        server = WebhookServer.start(new InetSocketAddress("127.0.0.1", 0), certificates, webhook);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpClient clientTrusting(WebhookCertificates trusted) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("ca", trusted.ca());
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(2)).build();
    }

    private HttpRequest post(String body) {
        return HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + "/mutate"))
                .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    @Test
    @DisplayName("GIVEN the caBundle CA WHEN the API server posts an AdmissionReview over HTTPS THEN it gets the patch")
    void servesOverTls() throws Exception {
        HttpResponse<String> response = clientTrusting(certificates)
                .send(post(AdmissionWebhookTest.fixture()), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"patchType\":\"JSONPatch\"", "\"allowed\":true");
    }

    @Test
    @DisplayName("GIVEN a client trusting another CA WHEN it connects THEN the handshake fails")
    void otherCaRefused() throws Exception {
        HttpClient stranger = clientTrusting(WebhookCertificates.generate(List.of("localhost"), Duration.ofDays(1)));

        assertThatThrownBy(() -> stranger.send(post("{}"), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    @DisplayName("GIVEN a body that is not an AdmissionReview WHEN posted THEN 400 names what was expected")
    void badBody() throws Exception {
        HttpResponse<String> response = clientTrusting(certificates).send(post("[]"), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("expected: admission.k8s.io/v1 AdmissionReview JSON");
    }
}
