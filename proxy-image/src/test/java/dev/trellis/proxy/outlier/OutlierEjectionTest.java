package dev.trellis.proxy.outlier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.ProxyServer;
import dev.trellis.proxy.fixtures.Clients;
import dev.trellis.proxy.fixtures.Mesh;
import dev.trellis.proxy.fixtures.UpstreamServer;
import java.net.http.HttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Outlier detection over real sockets: a failing host is ejected and comes back")
class OutlierEjectionTest {

    UpstreamServer failing;
    UpstreamServer healthy;
    ProxyServer proxy;
    HttpClient client;

    @BeforeEach
    void start() throws Exception {
        failing = UpstreamServer.http1("failing", r -> UpstreamServer.status(500));
        healthy = UpstreamServer.http1("healthy", r -> UpstreamServer.ok("healthy"));
        proxy = Mesh.start(Mesh.spec("""
                  - name: orders
                    port: 8081
                    retry:
                      attempts: 0
                    outlierDetection:
                      consecutiveFailures: 3
                      baseEjectionTime: 400ms
                      interval: 10s
                      maxEjectionPercent: 50
                """).endpoints("orders", "v1", failing, healthy).snapshot());
        client = Clients.viaProxy(proxy.outboundPort());
    }

    @AfterEach
    void stop() {
        proxy.close();
        failing.close();
        healthy.close();
    }

    @Test
    @DisplayName("GIVEN a host failing every request WHEN it failed 3 times in a row THEN it gets no requests until its ejection ends, then gets some again")
    void ejectedThenBack() throws Exception {
        for (int i = 0; i < 6; i++) {
            Clients.get(client, "http://orders/");
        }
        assertThat(failing.requests()).isEqualTo(3);
        ClusterHealthView.HostStatus status = hostStatus(failing.port());
        assertThat(status.ejected()).isTrue();
        assertThat(status.ejections()).isEqualTo(1);

        for (int i = 0; i < 10; i++) {
            assertThat(Clients.get(client, "http://orders/").statusCode()).isEqualTo(200);
        }
        assertThat(failing.requests()).isEqualTo(3);

        Thread.sleep(500);
        failing.behavior(r -> UpstreamServer.ok("recovered"));
        for (int i = 0; i < 4; i++) {
            Clients.get(client, "http://orders/");
        }
        assertThat(failing.requests()).isGreaterThan(3);
        assertThat(hostStatus(failing.port()).ejected()).isFalse();
    }

    @Test
    @DisplayName("GIVEN both hosts failing and maxEjectionPercent 50 WHEN both pass the threshold THEN only one is ejected")
    void ejectionLimit() throws Exception {
        healthy.behavior(r -> UpstreamServer.status(500));
        for (int i = 0; i < 12; i++) {
            Clients.get(client, "http://orders/");
        }

        long ejected = proxy.clusterHealth().clusters().stream().filter(c -> c.name().equals("orders/v1"))
                .flatMap(c -> c.hosts().stream()).filter(ClusterHealthView.HostStatus::ejected).count();
        assertThat(ejected).isEqualTo(1);
    }

    private ClusterHealthView.HostStatus hostStatus(int port) {
        return proxy.clusterHealth().clusters().stream().filter(c -> c.name().equals("orders/v1"))
                .flatMap(c -> c.hosts().stream()).filter(h -> h.port() == port).findFirst().orElseThrow();
    }
}
