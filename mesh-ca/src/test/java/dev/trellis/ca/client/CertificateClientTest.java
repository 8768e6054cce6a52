package dev.trellis.ca.client;

import static dev.trellis.ca.testing.TestMesh.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.trellis.ca.api.IdentityProof;
import dev.trellis.ca.api.IssueJson;
import dev.trellis.ca.api.IssueRequest;
import dev.trellis.ca.authority.CertificateAuthorityService;
import dev.trellis.ca.authority.HttpReply;
import dev.trellis.ca.authority.IssueRefusedException;
import dev.trellis.ca.identity.BootstrapTokenVerifier;
import dev.trellis.ca.identity.IdentityVerifiers;
import dev.trellis.ca.pki.SpiffeSans;
import dev.trellis.ca.testing.Csr;
import dev.trellis.ca.testing.Loopback;
import dev.trellis.ca.testing.TestMesh;
import dev.trellis.ca.tls.CertifiedKey;
import dev.trellis.ca.tls.MeshTls;
import dev.trellis.ca.tls.TlsContexts;
import dev.trellis.spec.TlsMode;
import io.netty.handler.ssl.ApplicationProtocolNames;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("CertificateClient: the proxy keeps a fresh certificate and survives the CA being away")
class CertificateClientTest {

    private static final String SECRET = "local-bootstrap-secret-0123456789";

    @Test
    void GIVEN_a_reachable_CA_WHEN_started_THEN_the_first_certificate_is_for_the_identity_and_matches_the_local_key() throws Exception {
        TestMesh mesh = new TestMesh();
        try (CertificateClient client = client(id("orders"), inProcess(service(mesh)))) {
            CertifiedKey key = client.start().get(10, TimeUnit.SECONDS);

            assertThat(SpiffeSans.uris(key.leaf())).containsExactly(id("orders").uri());
            assertThat(key.trustBundle()).containsExactly(mesh.ca.activeRoot());
            Signature signature = Signature.getInstance("SHA256withECDSA");
            signature.initSign(key.privateKey());
            signature.update(new byte[] {1, 2, 3});
            byte[] signed = signature.sign();
            signature.initVerify(key.leaf().getPublicKey());
            signature.update(new byte[] {1, 2, 3});
            assertThat(signature.verify(signed)).isTrue();
            assertThat(client.secondsUntilExpiry()).isBetween(Duration.ofHours(23).toSeconds(), Duration.ofHours(24).toSeconds());
        }
    }

    @Test
    void GIVEN_3_second_leaves_WHEN_two_thirds_of_the_lifetime_pass_THEN_the_client_renews_with_a_new_key_and_tells_listeners()
            throws Exception {
        TestMesh mesh = new TestMesh(Duration.ofSeconds(3));
        BlockingQueue<CertifiedKey> rotations = new LinkedBlockingQueue<>();
        try (CertificateClient client = client(id("orders"), inProcess(service(mesh)))) {
            client.onRotation(rotations::add);
            CertifiedKey first = client.start().get(10, TimeUnit.SECONDS);
            assertThat(rotations.poll(5, TimeUnit.SECONDS)).isEqualTo(first);

            CertifiedKey renewed = rotations.poll(5, TimeUnit.SECONDS);

            assertThat(renewed).isNotNull();
            assertThat(renewed.leaf().getSerialNumber()).isNotEqualTo(first.leaf().getSerialNumber());
            assertThat(renewed.leaf().getPublicKey()).isNotEqualTo(first.leaf().getPublicKey());
            assertThat(client.current()).isEqualTo(renewed);
        }
    }

    @Test
    void GIVEN_the_CA_becomes_unreachable_WHEN_renewal_is_due_THEN_the_current_certificate_stays_and_failures_are_reported()
            throws Exception {
        TestMesh mesh = new TestMesh(Duration.ofSeconds(3));
        AtomicBoolean up = new AtomicBoolean(true);
        AtomicInteger attempts = new AtomicInteger();
        IssueTransport flaky = request -> {
            attempts.incrementAndGet();
            if (!up.get()) {
                throw new IssueFailedException(0, "POST http://controller:8080/v1/certificates: java.net.ConnectException", null);
            }
            return inProcess(service(mesh)).issue(request);
        };
        try (CertificateClient client = CertificateClient.builder().identity(id("orders")).transport(flaky)
                .proofs(ProofSource.bootstrapToken(SECRET)).backoff(Duration.ofMillis(100), Duration.ofMillis(200)).build()) {
            CertifiedKey first = client.start().get(10, TimeUnit.SECONDS);
            up.set(false);

            waitUntil(() -> client.consecutiveFailures() >= 2);

            assertThat(client.current()).isEqualTo(first);
            assertThat(client.lastFailure()).contains("POST http://controller:8080/v1/certificates: java.net.ConnectException");
            assertThat(client.secondsUntilExpiry()).isLessThanOrEqualTo(3);

            up.set(true);
            waitUntil(() -> client.consecutiveFailures() == 0);
            assertThat(client.current()).isNotEqualTo(first);
            assertThat(client.lastFailure()).isEmpty();
        }
    }

    @Test
    void GIVEN_the_issuing_service_mounted_over_HTTP_WHEN_the_client_uses_the_HTTP_transport_THEN_it_gets_its_certificate()
            throws Exception {
        TestMesh mesh = new TestMesh();
        HttpServer controller = mount(service(mesh));
        try (CertificateClient client = client(id("payments"), IssueTransport.http(uri(controller)))) {
            CertifiedKey key = client.start().get(10, TimeUnit.SECONDS);

            assertThat(SpiffeSans.uris(key.leaf())).containsExactly(id("payments").uri());
        } finally {
            controller.stop(0);
        }
    }

    @Test
    void GIVEN_the_issuing_service_over_HTTP_WHEN_the_proof_is_wrong_THEN_the_transport_reports_403_with_the_CAs_reason()
            throws Exception {
        HttpServer controller = mount(service(new TestMesh()));
        try {
            IssueTransport http = IssueTransport.http(uri(controller));

            assertThatThrownBy(() -> http.issue(new IssueRequest(Csr.pem(id("orders")),
                    new IdentityProof.BootstrapToken("wrong-token-0123456789"))))
                    .isInstanceOf(IssueFailedException.class)
                    .hasMessageEndingWith(": HTTP 403, proof.token: [redacted] (expected: the bootstrap token of mesh shop)")
                    .extracting(e -> ((IssueFailedException) e).status()).isEqualTo(403);
        } finally {
            controller.stop(0);
        }
    }

    @Test
    void GIVEN_a_proxy_serving_STRICT_mTLS_WHEN_its_certificate_is_renewed_THEN_new_handshakes_use_it_and_an_open_connection_keeps_working()
            throws Exception {
        TestMesh mesh = new TestMesh();
        MeshTls tls = MeshTls.forTrustDomain(TestMesh.TRUST_DOMAIN);
        try (CertificateClient payments = client(id("payments"), inProcess(service(mesh)));
             CertificateClient orders = client(id("orders"), inProcess(service(mesh)))) {
            payments.start().get(10, TimeUnit.SECONDS);
            orders.start().get(10, TimeUnit.SECONDS);
            TlsContexts inbound = tls.follow(payments);
            TlsContexts outbound = tls.follow(orders);
            try (Loopback server = new Loopback(ch -> inbound.newInboundHandler(TlsMode.STRICT, ch.alloc()));
                 Loopback.Client open = server.connect(ch -> outbound.newOutboundHandler(id("payments"), ApplicationProtocolNames.HTTP_1_1, ch.alloc(), "127.0.0.1", 0))) {
                assertThat(open.handshake()).isTrue();
                X509Certificate before = (X509Certificate) open.ssl().engine().getSession().getPeerCertificates()[0];

                CertifiedKey renewed = payments.renewNow().get(10, TimeUnit.SECONDS);

                try (Loopback.Client fresh = server.connect(ch -> outbound.newOutboundHandler(id("payments"), ApplicationProtocolNames.HTTP_1_1, ch.alloc(), "127.0.0.1", 0))) {
                    assertThat(fresh.handshake()).isTrue();
                    assertThat(fresh.ssl().engine().getSession().getPeerCertificates()[0]).isEqualTo(renewed.leaf()).isNotEqualTo(before);
                }
                assertThat(open.exchange("after renewal")).isEqualTo("orders:after renewal");
            }
        }
    }

    @Test
    void GIVEN_no_certificate_yet_WHEN_current_is_asked_THEN_it_says_so() {
        CertificateClient client = client(id("orders"), request -> {
            throw new IssueFailedException(0, "unreachable", null);
        });
        try (client) {
            assertThatThrownBy(client::current).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("certificate: none yet for spiffe://example.org/mesh/shop/service/orders");
            assertThat(client.secondsUntilExpiry()).isZero();
        }
    }

    private static CertificateAuthorityService service(TestMesh mesh) {
        return CertificateAuthorityService.of(mesh.ca, IdentityVerifiers.builder()
                .bootstrap(BootstrapTokenVerifier.of(TestMesh.TRUST_DOMAIN, TestMesh.MESH, SECRET)).build());
    }

    private static IssueTransport inProcess(CertificateAuthorityService service) {
        return request -> {
            try {
                return service.issue(request);
            } catch (IssueRefusedException e) {
                throw new IssueFailedException(e.status(), e.getMessage(), e);
            }
        };
    }

    private static CertificateClient client(dev.trellis.naming.SpiffeId identity, IssueTransport transport) {
        return CertificateClient.builder().identity(identity).transport(transport)
                .proofs(ProofSource.bootstrapToken(SECRET)).build();
    }

    /** What the controller's route does: POST /v1/certificates → service.handle(body). */
    private static HttpServer mount(CertificateAuthorityService service) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(IssueJson.PATH, exchange -> {
            HttpReply reply = service.handle(exchange.getRequestBody().readAllBytes());
            exchange.getResponseHeaders().add("Content-Type", reply.contentType());
            exchange.sendResponseHeaders(reply.status(), reply.body().length);
            exchange.getResponseBody().write(reply.body());
            exchange.close();
        });
        server.start();
        return server;
    }

    private static URI uri(HttpServer server) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(20);
        }
    }

}
