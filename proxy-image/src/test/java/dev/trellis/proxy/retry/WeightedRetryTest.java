package dev.trellis.proxy.retry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.ProxyServer;
import dev.trellis.proxy.fixtures.Clients;
import dev.trellis.proxy.fixtures.Mesh;
import dev.trellis.proxy.fixtures.StaticSnapshotSource;
import dev.trellis.proxy.fixtures.UpstreamServer;
import dev.trellis.proxy.metrics.ProxyMetrics;
import java.net.http.HttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Retries on a weighted split: each retry draws the target again, and meters follow the cluster used")
class WeightedRetryTest {

    UpstreamServer v1;
    UpstreamServer v2;
    ProxyServer proxy;
    final ProxyMetrics metrics = ProxyMetrics.builder().jvmMeters(false).build();

    @AfterEach
    void stop() {
        proxy.close();
        metrics.close();
        v1.close();
        v2.close();
    }

    private HttpClient start(int v2Status) throws Exception {
        v1 = UpstreamServer.http1("v1", r -> UpstreamServer.status(503));
        v2 = UpstreamServer.http1("v2", r -> v2Status == 200 ? UpstreamServer.ok("v2") : UpstreamServer.status(v2Status));
        // 1:1, drawn by smooth weighted round robin: v1, v2, v1, v2, ... for requests and retries alike.
        proxy = ProxyServer.builder(new StaticSnapshotSource(Mesh.spec("""
                  - name: orders
                    port: 8081
                    versions: [v1, v2]
                    retry:
                      attempts: 1
                      on: [server-error]
                      backoff: { base: 5ms, max: 10ms }
                    outlierDetection: { consecutiveFailures: 1000 }
                    routes:
                      - name: split
                        match: { pathPrefix: / }
                        targets: [{ version: v1, weight: 1 }, { version: v2, weight: 1 }]
                """).endpoints("orders", "v1", v1).endpoints("orders", "v2", v2).snapshot()))
                .bindAddress("127.0.0.1").outboundPort(0).inboundPort(0).eventLoops(1).metrics(metrics)
                .build().start();
        return Clients.viaProxy(proxy.outboundPort());
    }

    @Test
    @DisplayName("GIVEN a 1:1 split whose v1 always answers 503 WHEN 10 requests each first land on v1 THEN each retry lands on v2 and the caller sees 200")
    void retryLandsInTheOtherVersion() throws Exception {
        HttpClient client = start(200);

        for (int i = 0; i < 10; i++) {
            assertThat(Clients.get(client, "http://orders/" + i).body()).isEqualTo("v2");
        }

        assertThat(v1.requests()).isEqualTo(10);
        assertThat(v2.requests()).isEqualTo(10);
        String scrape = metrics.scrape();
        // The answer came from v2: counted there; the retry is counted on v1, whose try failed.
        assertThat(scrape).containsPattern(
                "trellis_proxy_requests_total\\{[^}]*cluster=\"orders/v2\"[^}]*status=\"2xx\"[^}]*} 10\\.0");
        assertThat(scrape).doesNotContainPattern("trellis_proxy_requests_total\\{[^}]*cluster=\"orders/v1\"");
        assertThat(scrape).containsPattern("trellis_proxy_retries_total\\{[^}]*cluster=\"orders/v1\"[^}]*} 10\\.0");
        assertThat(scrape).containsPattern("trellis_proxy_retries_total\\{[^}]*cluster=\"orders/v2\"[^}]*} 0\\.0");
    }

    @Test
    @DisplayName("GIVEN a 1:1 split where both versions fail WHEN the retries run out THEN the caller sees the last try's 5xx, counted on the cluster that answered it")
    void exhaustedRetryIsCountedWhereItEnded() throws Exception {
        HttpClient client = start(500);

        for (int i = 0; i < 4; i++) {
            assertThat(Clients.get(client, "http://orders/" + i).statusCode()).isEqualTo(500);
        }

        assertThat(v1.requests()).isEqualTo(4);
        assertThat(v2.requests()).isEqualTo(4);
        String scrape = metrics.scrape();
        assertThat(scrape).containsPattern(
                "trellis_proxy_requests_total\\{[^}]*cluster=\"orders/v2\"[^}]*status=\"5xx\"[^}]*} 4\\.0");
        assertThat(scrape).doesNotContainPattern("trellis_proxy_requests_total\\{[^}]*cluster=\"orders/v1\"");
    }
}
