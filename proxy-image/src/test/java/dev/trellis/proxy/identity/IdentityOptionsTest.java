package dev.trellis.proxy.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.trellis.ca.api.IssueJson;
import dev.trellis.ca.authority.CertificateAuthorityService;
import dev.trellis.ca.authority.HttpReply;
import dev.trellis.ca.client.CertificateClient;
import dev.trellis.ca.identity.BootstrapTokenVerifier;
import dev.trellis.ca.identity.IdentityVerifiers;
import dev.trellis.proxy.fixtures.Mesh;
import dev.trellis.proxy.fixtures.MeshIdentities;
import dev.trellis.snapshot.ProxySnapshot;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

@DisplayName("IdentityOptions: the proxy's certificate from the controller's issuing endpoint")
class IdentityOptionsTest {

    private static final String SECRET = "local-bootstrap-secret-0123456789";

    private final ProxySnapshot snapshot = Mesh.spec("").snapshot();
    private static HttpServer controller;

    @BeforeAll
    static void mountCa() throws Exception {
        MeshIdentities identities = new MeshIdentities();
        CertificateAuthorityService service = CertificateAuthorityService.of(identities.ca(), IdentityVerifiers.builder()
                .bootstrap(BootstrapTokenVerifier.of(MeshIdentities.TRUST_DOMAIN, MeshIdentities.MESH, SECRET)).build());
        controller = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        controller.createContext(IssueJson.PATH, exchange -> {
            HttpReply reply = service.handle(exchange.getRequestBody().readAllBytes());
            exchange.getResponseHeaders().add("Content-Type", reply.contentType());
            exchange.sendResponseHeaders(reply.status(), reply.body().length);
            exchange.getResponseBody().write(reply.body());
            exchange.close();
        });
        controller.start();
    }

    @AfterAll
    static void stop() {
        controller.stop(0);
    }

    private IdentityOptions parse(String... args) {
        return CommandLine.populateCommand(new IdentityOptions(), args);
    }

    @Test
    @DisplayName("GIVEN no --controller WHEN parsed THEN identity is off (plaintext)")
    void offByDefault() {
        assertThat(parse().enabled()).isFalse();
    }

    @Test
    @DisplayName("GIVEN --controller and the bootstrap token WHEN started THEN a certificate for the snapshot's SPIFFE ID is there before start returns")
    void bootstrapCertificate() throws Exception {
        IdentityOptions options = parse("--controller", "http://127.0.0.1:" + controller.getAddress().getPort(),
                "--bootstrap-token", SECRET);

        try (CertificateClient client = options.startCertificateClient(snapshot, Duration.ofSeconds(10))) {
            assertThat(client.current().identity().uri()).isEqualTo(snapshot.identity());
            assertThat(IdentityOptions.tls(snapshot, client).certifiedKey()).isSameAs(client.current());
        }
    }

    @Test
    @DisplayName("GIVEN a wrong bootstrap token WHEN started THEN start fails: no certificate, no proxy")
    void wrongToken() {
        IdentityOptions options = parse("--controller", "http://127.0.0.1:" + controller.getAddress().getPort(),
                "--bootstrap-token", "not-the-mesh-secret-at-all");

        assertThatThrownBy(() -> options.startCertificateClient(snapshot, Duration.ofSeconds(1)).close())
                .isInstanceOf(Exception.class);
    }

    @Test
    @DisplayName("GIVEN the bootstrap proof and no token WHEN started THEN the error names the option")
    void missingToken() {
        IdentityOptions options = parse("--controller", "http://127.0.0.1:1");
        options.bootstrapToken = null;

        assertThatThrownBy(() -> options.startCertificateClient(snapshot, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--bootstrap-token: none (expected: a token, or $TRELLIS_BOOTSTRAP_TOKEN)");
    }

    @Test
    @DisplayName("GIVEN --crl-refresh 10s WHEN parsed THEN the CRL is fetched every 10 seconds; 30 s without it")
    void crlRefresh() {
        assertThat(parse("--crl-refresh", "10s").crlRefresh).isEqualTo(Duration.ofSeconds(10));
        assertThat(parse().crlRefresh).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    @DisplayName("GIVEN --crl-refresh soon WHEN parsed THEN it is refused naming the option, the value and examples")
    void crlRefreshRefused() {
        assertThatThrownBy(() -> parse("--crl-refresh", "soon"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--crl-refresh: soon (expected: such as 10s, 30s or 1m)");
    }
}
