package dev.trellis.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The admin port on a real loopback socket. */
class AdminServerTest {

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

    @Test
    void givenAStartedAdminServer_whenReadinessChanges_thenReadyFollowsOverTheSameServer() throws Exception {
        AtomicBoolean applied = new AtomicBoolean();
        try (AdminServer admin = AdminServer.builder()
                .bindAddress("127.0.0.1")
                .port(0)
                .readiness(() -> applied.get() ? Optional.empty() : Optional.of("no snapshot applied"))
                .start()) {
            assertThat(get(admin, "/ready").statusCode()).isEqualTo(503);

            applied.set(true);

            HttpResponse<String> ready = get(admin, "/ready");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("ready\n");
            assertThat(get(admin, "/live").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void givenAPortInUse_whenAnotherAdminServerStarts_thenTheErrorNamesThePort() {
        try (AdminServer first = AdminServer.builder().bindAddress("127.0.0.1").port(0).start()) {
            int taken = first.port();

            assertThatThrownBy(() -> AdminServer.builder().bindAddress("127.0.0.1").port(taken).start())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("admin port: 127.0.0.1:" + taken + " (expected: a free port to listen on)");
        }
    }

    @Test
    void givenAClosedAdminServer_whenCalled_thenTheConnectionIsRefused() {
        AdminServer admin = AdminServer.builder().bindAddress("127.0.0.1").port(0).start();
        int port = admin.port();

        admin.close();

        assertThatThrownBy(() -> client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/live"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(java.net.ConnectException.class);
    }

    @Test
    void givenAnInvalidPort_whenBuilt_thenTheErrorNamesIt() {
        assertThatThrownBy(() -> AdminServer.builder().port(70000))
                .hasMessage("port: 70000 (expected: 0..65535)");
    }

    private HttpResponse<String> get(AdminServer admin, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
