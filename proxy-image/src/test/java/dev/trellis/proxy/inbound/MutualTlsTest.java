package dev.trellis.proxy.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.ca.tls.TlsContexts;
import dev.trellis.proxy.ProxyServer;
import dev.trellis.proxy.fixtures.Clients;
import dev.trellis.proxy.fixtures.Mesh;
import dev.trellis.proxy.fixtures.MeshIdentities;
import dev.trellis.proxy.fixtures.StaticSnapshotSource;
import dev.trellis.proxy.fixtures.UpstreamServer;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.SnapshotCompiler;
import dev.trellis.spec.MeshSpecs;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two proxies on loopback: the app's proxy calls orders through orders' proxy over mTLS, as in
 * a mesh. Orders' inbound listener terminates TLS in the snapshot's mode and authorizes callers.
 */
@DisplayName("mTLS between proxies: origination, termination, identity, authorization")
class MutualTlsTest {

    private static final MeshIdentities identities = new MeshIdentities();
    private UpstreamServer ordersApp;
    private ProxyServer ordersProxy;
    private ProxyServer appProxy;

    @AfterEach
    void stop() {
        if (appProxy != null) {
            appProxy.close();
        }
        if (ordersProxy != null) {
            ordersProxy.close();
        }
        if (ordersApp != null) {
            ordersApp.close();
        }
        ordersMetrics.close();
    }

    private static String spec(String tls, String ordersExtra) {
        return "apiVersion: trellis.dev/v1\nmesh: test\ntls: " + tls + "\nservices:\n"
                + "  - name: app\n    port: 18080\n"
                + "  - name: orders\n    port: 8081\n" + ordersExtra;
    }

    private static ProxySnapshot snapshot(String spec, String service, int ordersProxyPort) {
        return SnapshotCompiler.compile(MeshSpecs.parseYaml(spec), service,
                (s, v) -> s.equals("orders") ? List.of(dev.trellis.snapshot.Endpoint.of("127.0.0.1", ordersProxyPort))
                        : List.of());
    }

    private final dev.trellis.proxy.metrics.ProxyMetrics ordersMetrics =
            dev.trellis.proxy.metrics.ProxyMetrics.builder().jvmMeters(false).build();

    private ProxyServer start(ProxySnapshot snapshot, TlsContexts tls, int appPort) throws InterruptedException {
        return ProxyServer.builder(new StaticSnapshotSource(snapshot)).bindAddress("127.0.0.1").outboundPort(0)
                .inboundPort(0).eventLoops(1).tls(tls).appPort(appPort)
                .metrics(snapshot.service().equals("orders") ? ordersMetrics : dev.trellis.proxy.metrics.ProxyMetrics.noop())
                .build().start();
    }

    /** Orders' proxy in front of orders' app, then the app's proxy with orders' proxy as the endpoint. */
    private void startMesh(String spec) throws Exception {
        ordersApp = UpstreamServer.http1("orders-app", UpstreamServer.echo());
        ordersProxy = start(snapshot(spec, "orders", 1), identities.tlsOf("orders"), ordersApp.port());
        appProxy = start(snapshot(spec, "app", ordersProxy.inboundPort()), identities.tlsOf("app"), 0);
    }

    private String callOrders(String path) throws Exception {
        return Clients.raw(appProxy.outboundPort(), "GET " + path + " HTTP/1.1\r\nHost: orders\r\n"
                + "x-trellis-caller: spiffe://forged\r\nConnection: close\r\n\r\n", 5000);
    }

    @Test
    @DisplayName("GIVEN STRICT mTLS WHEN the app calls orders through both proxies THEN orders' app answers and sees the proven caller, not a forged one")
    void strictRoundTrip() throws Exception {
        startMesh(spec("STRICT", ""));

        String response = callOrders("/orders/1");

        assertThat(response).startsWith("HTTP/1.1 200 OK\r\n");
        UpstreamServer.Received received = ordersApp.received().get(0);
        assertThat(received.header("x-trellis-caller")).isEqualTo(MeshIdentities.id("app").uri());
    }

    @Test
    @DisplayName("GIVEN steady traffic over mTLS WHEN both proxies renew their certificates five times THEN no request fails and new connections use the new certificates")
    void renewalUnderLoad() throws Exception {
        String spec = spec("STRICT", "");
        ordersApp = UpstreamServer.http1("orders-app", UpstreamServer.echo());
        MeshIdentities.RenewableSource ordersCerts = identities.sourceOf("orders");
        MeshIdentities.RenewableSource appCerts = identities.sourceOf("app");
        ordersProxy = start(snapshot(spec, "orders", 1),
                dev.trellis.ca.tls.MeshTls.forTrustDomain(MeshIdentities.TRUST_DOMAIN).follow(ordersCerts), ordersApp.port());
        TlsContexts appTls = dev.trellis.ca.tls.MeshTls.forTrustDomain(MeshIdentities.TRUST_DOMAIN).follow(appCerts);
        appProxy = start(snapshot(spec, "app", ordersProxy.inboundPort()), appTls, 0);
        java.net.http.HttpClient client = Clients.viaProxy(appProxy.outboundPort());
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger ok = new java.util.concurrent.atomic.AtomicInteger();
        java.util.List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread load = new Thread(() -> {
            while (running.get()) {
                try {
                    int status = Clients.get(client, "http://orders/renewal").statusCode();
                    if (status == 200) {
                        ok.incrementAndGet();
                    } else {
                        failures.add("status " + status);
                    }
                } catch (Exception e) {
                    failures.add(e.toString());
                }
            }
        });
        load.start();
        for (int i = 0; i < 5; i++) {
            Thread.sleep(100);
            ordersCerts.renew();
            appCerts.renew();
        }
        Thread.sleep(100);
        running.set(false);
        load.join();

        assertThat(failures).isEmpty();
        assertThat(ok.get()).isPositive();
        assertThat(appTls.certifiedKey()).isSameAs(appCerts.current());
        // A fresh connection (a new caller connection may land on a new upstream pool) still works.
        assertThat(Clients.raw(appProxy.outboundPort(), "GET /after HTTP/1.1\r\nHost: orders\r\nConnection: close\r\n\r\n",
                5000)).startsWith("HTTP/1.1 200 OK\r\n");
    }

    @Test
    @DisplayName("GIVEN STRICT mTLS WHEN a plaintext caller reaches orders' inbound port THEN it gets no HTTP answer and the app nothing")
    void strictRefusesPlaintext() throws Exception {
        startMesh(spec("STRICT", ""));

        String response = Clients.raw(ordersProxy.inboundPort(), "GET / HTTP/1.1\r\nHost: orders\r\n\r\n", 3000);

        assertThat(response).doesNotContain("HTTP/1.1 200");
        assertThat(ordersApp.requests()).isZero();
    }

    @Test
    @DisplayName("GIVEN PERMISSIVE WHEN one caller speaks mTLS and another plaintext THEN both reach the app; only the first has an identity")
    void permissiveTakesBoth() throws Exception {
        startMesh(spec("PERMISSIVE", ""));

        assertThat(callOrders("/tls")).startsWith("HTTP/1.1 200 OK\r\n");
        assertThat(Clients.raw(ordersProxy.inboundPort(), "GET /plain HTTP/1.1\r\nHost: orders\r\nConnection: close\r\n\r\n",
                3000)).startsWith("HTTP/1.1 200 OK\r\n");

        assertThat(ordersApp.received()).filteredOn(r -> r.uri().equals("/tls")).first()
                .extracting(r -> r.header("x-trellis-caller")).isEqualTo(MeshIdentities.id("app").uri());
        assertThat(ordersApp.received()).filteredOn(r -> r.uri().equals("/plain")).first()
                .extracting(r -> r.header("x-trellis-caller")).isNull();
    }

    @Test
    @DisplayName("GIVEN orders allows only frontend WHEN the app calls THEN 403 forbidden and orders' app receives nothing")
    void unauthorizedCaller() throws Exception {
        startMesh(spec("STRICT", "    allowedCallers:\n      - service: frontend\n  - name: frontend\n    port: 8090\n"));

        String response = callOrders("/orders/1");

        assertThat(response).startsWith("HTTP/1.1 403 Forbidden\r\n").contains("x-trellis-error: forbidden");
        assertThat(ordersApp.requests()).isZero();
        assertThat(ordersMetrics.scrape()).containsPattern(
                "trellis_proxy_requests_total\\{[^}]*route=\"inbound\"[^}]*status=\"4xx\"[^}]*} 1\\.0");
    }

    @Test
    @DisplayName("GIVEN orders allows the app on /orders only, GET only WHEN the app calls other paths or methods THEN 403; /orders GET passes")
    void pathAndMethodRules() throws Exception {
        startMesh(spec("STRICT", "    allowedCallers:\n      - service: app\n        paths: [/orders]\n        methods: [GET]\n"));

        assertThat(callOrders("/orders/7")).startsWith("HTTP/1.1 200 OK\r\n");
        assertThat(callOrders("/admin")).startsWith("HTTP/1.1 403 Forbidden\r\n");
        assertThat(Clients.raw(appProxy.outboundPort(), "DELETE /orders/7 HTTP/1.1\r\nHost: orders\r\nConnection: close\r\n\r\n",
                5000)).startsWith("HTTP/1.1 403 Forbidden\r\n");
        assertThat(ordersApp.requests()).isEqualTo(1);
    }
}
