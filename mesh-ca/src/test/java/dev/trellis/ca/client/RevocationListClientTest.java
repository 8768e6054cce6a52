package dev.trellis.ca.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.trellis.ca.client.RevocationListClient.Outcome;
import dev.trellis.ca.testing.MutableCertificateSource;
import dev.trellis.ca.testing.TestMesh;
import dev.trellis.ca.tls.CertifiedKey;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RevocationListClient: fetches the CRL, accepts it only from a mesh root, keeps the last good one")
class RevocationListClientTest {

    private final TestMesh mesh = new TestMesh();
    private final CertifiedKey self = mesh.certify("frontend");
    private final CertifiedKey orders = mesh.certify("orders");
    private final CertifiedKey payments = mesh.certify("payments");
    /** What the fake controller serves at /v1/crl; null: HTTP 503. */
    private final AtomicReference<X509CRL> served = new AtomicReference<>();
    private HttpServer controller;
    private RevocationListClient client;

    @BeforeEach
    void start() throws Exception {
        controller = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        controller.createContext(RevocationListClient.PATH, exchange -> {
            X509CRL crl = served.get();
            byte[] body;
            try {
                body = crl == null ? new byte[0] : crl.getEncoded();
            } catch (java.security.cert.CRLException e) {
                throw new java.io.IOException(e);
            }
            exchange.getResponseHeaders().add("Content-Type", "application/pkix-crl");
            exchange.sendResponseHeaders(crl == null ? 503 : 200, body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        controller.start();
        client = RevocationListClient.builder()
                .controller(URI.create("http://127.0.0.1:" + controller.getAddress().getPort()))
                .trust(new MutableCertificateSource(self))
                .timeout(Duration.ofSeconds(5))
                .build();
    }

    @AfterEach
    void stop() {
        client.close();
        controller.stop(0);
    }

    private Outcome refresh() throws Exception {
        return client.refreshNow().get(10, TimeUnit.SECONDS);
    }

    @Test
    void GIVEN_a_CRL_listing_orders_WHEN_fetched_THEN_orders_is_revoked_and_payments_is_not() throws Exception {
        mesh.ca.revoke(orders.leaf().getSerialNumber());
        served.set(mesh.ca.revocationList());

        assertThat(refresh()).isEqualTo(Outcome.UPDATED);

        assertThat(client.isRevoked(orders.leaf())).isTrue();
        assertThat(client.isRevoked(payments.leaf())).isFalse();
        assertThat(client.count(Outcome.UPDATED)).isEqualTo(1);
        assertThat(client.lastUpdate()).isPresent();
    }

    @Test
    void GIVEN_no_CRL_fetched_yet_WHEN_asked_THEN_nothing_is_revoked() {
        assertThat(client.isRevoked(orders.leaf())).isFalse();
        assertThat(client.crlNumber()).isEmpty();
    }

    @Test
    void GIVEN_a_good_CRL_in_force_WHEN_a_CRL_signed_by_another_CA_is_served_THEN_it_is_refused_counted_and_the_good_one_stays()
            throws Exception {
        mesh.ca.revoke(orders.leaf().getSerialNumber());
        served.set(mesh.ca.revocationList());
        refresh();
        TestMesh forger = new TestMesh();
        served.set(forger.ca.revocationList());   // empty: would un-revoke orders if accepted

        assertThat(refresh()).isEqualTo(Outcome.INVALID);

        assertThat(client.count(Outcome.INVALID)).isEqualTo(1);
        assertThat(client.lastFailure()).get().asString()
                .startsWith("CRL issuer: " + forger.ca.activeRoot().getSubjectX500Principal() + " (expected: signed by one of 1 mesh roots");
        assertThat(client.isRevoked(orders.leaf())).isTrue();
    }

    @Test
    void GIVEN_no_CRL_yet_WHEN_the_only_CRL_served_is_signed_by_another_CA_THEN_it_is_refused() throws Exception {
        TestMesh forger = new TestMesh();
        served.set(forger.ca.revocationList());

        assertThat(refresh()).isEqualTo(Outcome.INVALID);
        assertThat(client.crlNumber()).isEmpty();
    }

    @Test
    void GIVEN_a_good_CRL_in_force_WHEN_the_controller_answers_503_THEN_it_is_counted_unreachable_and_the_good_one_stays()
            throws Exception {
        mesh.ca.revoke(orders.leaf().getSerialNumber());
        served.set(mesh.ca.revocationList());
        refresh();
        served.set(null);

        assertThat(refresh()).isEqualTo(Outcome.UNREACHABLE);

        assertThat(client.count(Outcome.UNREACHABLE)).isEqualTo(1);
        assertThat(client.lastFailure()).get().asString().endsWith("HTTP 503 (expected: 200 with a CRL)");
        assertThat(client.isRevoked(orders.leaf())).isTrue();
    }

    @Test
    void GIVEN_a_good_CRL_in_force_WHEN_the_controller_is_gone_THEN_it_is_counted_unreachable_and_the_good_one_stays()
            throws Exception {
        mesh.ca.revoke(orders.leaf().getSerialNumber());
        served.set(mesh.ca.revocationList());
        refresh();
        controller.stop(0);

        assertThat(refresh()).isEqualTo(Outcome.UNREACHABLE);

        assertThat(client.isRevoked(orders.leaf())).isTrue();
    }

    @Test
    void GIVEN_a_CRL_in_force_WHEN_an_older_CRL_of_the_same_CA_is_replayed_THEN_it_is_refused() throws Exception {
        X509CRL older = mesh.ca.revocationList();
        Thread.sleep(5);   // CRL numbers are time-based: make the next one visibly higher
        mesh.ca.revoke(orders.leaf().getSerialNumber());
        served.set(mesh.ca.revocationList());
        refresh();
        served.set(older);

        assertThat(refresh()).isEqualTo(Outcome.INVALID);

        assertThat(client.lastFailure()).get().asString().startsWith("CRL number: ").contains("(expected: at least ");
        assertThat(client.isRevoked(orders.leaf())).isTrue();
    }

    @Test
    void GIVEN_a_started_client_WHEN_a_serial_is_revoked_at_the_CA_THEN_the_client_refuses_it_within_one_refresh_interval()
            throws Exception {
        served.set(mesh.ca.revocationList());
        try (RevocationListClient started = RevocationListClient.builder()
                .controller(URI.create("http://127.0.0.1:" + controller.getAddress().getPort()))
                .trust(new MutableCertificateSource(self)).refreshInterval(Duration.ofSeconds(1)).build().start()) {
            awaitUpdates(started, 1);

            mesh.ca.revoke(orders.leaf().getSerialNumber());
            served.set(mesh.ca.revocationList());
            long before = started.count(Outcome.UPDATED);
            awaitUpdates(started, before + 2);   // a full refresh after the change, however the timing fell

            assertThat(started.isRevoked(orders.leaf())).isTrue();
            assertThat(started.isRevoked(payments.leaf())).isFalse();
        }
    }

    @Test
    void GIVEN_a_listener_WHEN_the_same_revoked_set_is_fetched_again_THEN_it_hears_only_of_the_changes() throws Exception {
        java.util.List<Integer> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        client.onUpdate(crl -> heard.add(crl.getRevokedCertificates() == null ? 0 : crl.getRevokedCertificates().size()));
        served.set(mesh.ca.revocationList());
        refresh();
        refresh();
        mesh.ca.revoke(orders.leaf().getSerialNumber());
        served.set(mesh.ca.revocationList());
        refresh();
        refresh();

        assertThat(heard).containsExactly(0, 1);
        assertThat(client.count(Outcome.UPDATED)).isEqualTo(4);
    }

    private static void awaitUpdates(RevocationListClient client, long count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (client.count(Outcome.UPDATED) < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(client.count(Outcome.UPDATED)).isGreaterThanOrEqualTo(count);
    }
}
