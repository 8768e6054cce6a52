package dev.trellis.proxy.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.trellis.ca.client.RevocationListClient;
import dev.trellis.ca.tls.MeshTls;
import dev.trellis.ca.tls.PeerRejection;
import dev.trellis.ca.tls.TlsContexts;
import dev.trellis.proxy.ProxyServer;
import dev.trellis.proxy.fixtures.Clients;
import dev.trellis.proxy.fixtures.MeshIdentities;
import dev.trellis.proxy.fixtures.StaticSnapshotSource;
import dev.trellis.proxy.fixtures.UpstreamServer;
import dev.trellis.proxy.metrics.ProxyMetrics;
import dev.trellis.snapshot.Endpoint;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.SnapshotCompiler;
import dev.trellis.spec.MeshSpecs;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.cert.CRLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Three proxies on loopback, app and checkout both calling orders over STRICT mTLS, and a controller's
 * {@code GET /v1/crl} served from the mesh CA. Orders' proxy runs a {@link MeshIdentity} refreshing the
 * CRL every second.
 */
@DisplayName("Peer verification across proxies: a revoked caller is refused within a refresh, the others carry on; callers without a certificate are counted")
class RevocationOverMeshTest {

    private static final Duration REFRESH = Duration.ofSeconds(1);
    private static final String SPEC = "apiVersion: trellis.dev/v1\nmesh: test\ntls: STRICT\nservices:\n"
            + "  - name: app\n    port: 18080\n  - name: checkout\n    port: 18081\n  - name: orders\n    port: 8081\n";

    private final MeshIdentities identities = new MeshIdentities();
    private final MeshIdentities.RenewableSource ordersCerts = identities.sourceOf("orders");
    private final MeshIdentities.RenewableSource appCerts = identities.sourceOf("app");
    private final ProxyMetrics ordersMetrics = ProxyMetrics.builder().jvmMeters(false).build();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private HttpServer controller;
    private MeshIdentity orders;
    private UpstreamServer ordersApp;
    private ProxyServer ordersProxy;
    private ProxyServer appProxy;
    private ProxyServer checkoutProxy;

    @BeforeEach
    void start() throws Exception {
        controller = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        controller.createContext(RevocationListClient.PATH, exchange -> {
            byte[] der;
            try {
                der = identities.ca().revocationList().getEncoded();
            } catch (CRLException e) {
                throw new IOException(e);
            }
            exchange.sendResponseHeaders(200, der.length);
            exchange.getResponseBody().write(der);
            exchange.close();
        });
        controller.start();
        orders = MeshIdentity.start(MeshIdentities.TRUST_DOMAIN, ordersCerts,
                URI.create("http://127.0.0.1:" + controller.getAddress().getPort()), REFRESH, ordersCerts::renew);
        orders.bindMeters(ordersMetrics.registry());
        ordersApp = UpstreamServer.http1("orders-app", UpstreamServer.echo());
        ordersProxy = proxy("orders", orders.tls(), ordersApp.port(), 1);
        appProxy = proxy("app", MeshTls.forTrustDomain(MeshIdentities.TRUST_DOMAIN).follow(appCerts), 0, ordersProxy.inboundPort());
        checkoutProxy = proxy("checkout", identities.tlsOf("checkout"), 0, ordersProxy.inboundPort());
    }

    @AfterEach
    void stop() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        orders.close();
        ordersApp.close();
        controller.stop(0);
        ordersMetrics.close();
    }

    private ProxyServer proxy(String service, TlsContexts tls, int appPort, int ordersPort) throws InterruptedException {
        ProxySnapshot snapshot = SnapshotCompiler.compile(MeshSpecs.parseYaml(SPEC), service,
                (s, v) -> s.equals("orders") ? List.of(Endpoint.of("127.0.0.1", ordersPort)) : List.of());
        ProxyServer proxy = ProxyServer.builder(new StaticSnapshotSource(snapshot)).bindAddress("127.0.0.1").outboundPort(0)
                .inboundPort(0).eventLoops(1).tls(tls).appPort(appPort)
                .metrics(service.equals("orders") ? ordersMetrics : ProxyMetrics.noop())
                .build().start();
        closing.add(proxy);
        return proxy;
    }

    private static int call(HttpClient client) {
        try {
            return Clients.get(client, "http://orders/orders/1").statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Waits until {@code count} reaches {@code target}; at most 10 s. */
    private static void await(LongSupplier count, long target) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (count.getAsLong() < target && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(count.getAsLong()).isGreaterThanOrEqualTo(target);
    }

    @Test
    @DisplayName("GIVEN app and checkout calling orders over kept-alive mTLS WHEN app's certificate is revoked THEN after the next CRL refresh app is refused, as REVOKED, and checkout still gets 200")
    void revokedCallerIsRefusedOthersCarryOn() throws Exception {
        HttpClient app = Clients.viaProxy(appProxy.outboundPort());
        HttpClient checkout = Clients.viaProxy(checkoutProxy.outboundPort());
        await(() -> orders.revocations().count(RevocationListClient.Outcome.UPDATED), 1);
        assertThat(call(app)).isEqualTo(200);
        assertThat(call(checkout)).isEqualTo(200);

        long revokedAt = System.nanoTime();
        identities.ca().revoke(appCerts.current().leaf().getSerialNumber());
        long refreshes = orders.revocations().count(RevocationListClient.Outcome.UPDATED);
        // A refresh already in flight may carry the old CRL: the second one after the revocation has the new one.
        await(() -> orders.revocations().count(RevocationListClient.Outcome.UPDATED), refreshes + 2);
        long appliedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - revokedAt);
        int requestsBefore = ordersApp.requests();

        assertThat(call(app)).isNotEqualTo(200);
        assertThat(ordersApp.requests()).isEqualTo(requestsBefore);
        assertThat(call(checkout)).isEqualTo(200);
        assertThat(orders.rejections().count(PeerRejection.REVOKED)).isPositive();
        assertThat(orders.rejections().total()).isEqualTo(orders.rejections().count(PeerRejection.REVOKED));
        assertThat(ordersMetrics.scrape()).containsPattern("trellis_proxy_peer_rejections_total\\{[^}]*reason=\"revoked\"[^}]*} [1-9]");
        System.out.printf("revocation in force at orders' proxy by its 2nd CRL refresh, %d ms after the CA revoked (refresh interval %d ms)%n",
                appliedMillis, REFRESH.toMillis());
    }

    @Test
    @DisplayName("GIVEN orders' own certificate WHEN the CA revokes it THEN orders' proxy gets a new certificate at the next CRL refresh")
    void ownRevokedCertificateIsRenewedAtOnce() throws Exception {
        BigInteger own = ordersCerts.current().leaf().getSerialNumber();

        identities.ca().revoke(own);
        long refreshes = orders.revocations().count(RevocationListClient.Outcome.UPDATED);
        await(() -> orders.revocations().count(RevocationListClient.Outcome.UPDATED), refreshes + 2);

        assertThat(ordersCerts.current().leaf().getSerialNumber()).isNotEqualTo(own);
        assertThat(orders.tls().certifiedKey().leaf().getSerialNumber()).isNotEqualTo(own);
        assertThat(call(Clients.viaProxy(checkoutProxy.outboundPort()))).isEqualTo(200);
    }

    @Test
    @DisplayName("GIVEN orders' STRICT inbound listener WHEN a caller without a client certificate connects THEN it gets no answer and is counted as no_certificate")
    void callerWithoutCertificateIsCounted() throws Exception {
        javax.net.ssl.SSLContext anonymous = javax.net.ssl.SSLContext.getInstance("TLS");
        anonymous.init(null, io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        int answer;
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) anonymous.getSocketFactory()
                .createSocket("127.0.0.1", ordersProxy.inboundPort())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: orders\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            answer = socket.getInputStream().read();
        } catch (IOException refused) {
            answer = -1;   // TLS 1.2 ends at the handshake, TLS 1.3 at the first read (alert certificate_required)
        }

        assertThat(answer).as("first byte of an answer").isEqualTo(-1);
        await(() -> orders.rejections().count(PeerRejection.NO_CERTIFICATE), 1);
        assertThat(ordersApp.requests()).isZero();
        assertThat(ordersMetrics.scrape()).containsPattern(
                "trellis_proxy_peer_rejections_total\\{[^}]*reason=\"no_certificate\"[^}]*} 1\\.0");
    }
}
