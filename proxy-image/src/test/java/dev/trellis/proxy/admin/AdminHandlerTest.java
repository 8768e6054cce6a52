package dev.trellis.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.proxy.metrics.ProxyMetrics;
import dev.trellis.proxy.outlier.ClusterHealthView;
import dev.trellis.proxy.outlier.ClusterHealthView.ClusterHealth;
import dev.trellis.proxy.outlier.ClusterHealthView.HostStatus;
import dev.trellis.proxy.testing.TestSnapshots;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.Snapshots;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The admin pipeline byte for byte: raw HTTP/1.1 in, raw HTTP/1.1 out. */
class AdminHandlerTest {

    private final AtomicReference<Optional<String>> blocker = new AtomicReference<>(Optional.of("no snapshot applied"));
    private final AtomicReference<ProxySnapshot> snapshot = new AtomicReference<>();
    private final AtomicInteger drains = new AtomicInteger();
    private final ProxyMetrics metrics = ProxyMetrics.builder().jvmMeters(false).build();
    private final ClusterHealthView health = () -> List.of(new ClusterHealth("orders/v1", "HTTP", "ROUND_ROBIN", 3, 2,
            List.of(new HostStatus("10.0.1.5", 15000, true, false, Duration.ZERO, 0, 1, 3),
                    new HostStatus("10.0.1.6", 15000, true, true, Duration.ofMillis(9500), 1, 0, 0))));
    private EmbeddedChannel channel = newChannel(AdminServer.builder()
            .readiness(blocker::get)
            .snapshot(snapshot::get)
            .clusterHealth(health)
            .metrics(metrics)
            .onDrain(drains::incrementAndGet));

    @AfterEach
    void finish() {
        assertThat(channel.finishAndReleaseAll()).as("nothing left unread").isFalse();
        metrics.close();
    }

    @Test
    void givenNoSnapshotYet_whenReadyIsAsked_then503NamesTheBlocker() {
        String response = exchange("GET /ready HTTP/1.1\r\nHost: admin\r\n\r\n");

        assertThat(response).isEqualTo("HTTP/1.1 503 Service Unavailable\r\n"
                + "content-type: text/plain; charset=utf-8\r\n"
                + "content-length: 31\r\n"
                + "cache-control: no-store\r\n"
                + "\r\n"
                + "not ready: no snapshot applied\n");
    }

    @Test
    void givenNoBlockerLeft_whenReadyIsAsked_then200() {
        blocker.set(Optional.empty());

        assertThat(exchange("GET /ready HTTP/1.1\r\nHost: admin\r\n\r\n"))
                .startsWith("HTTP/1.1 200 OK\r\n")
                .endsWith("\r\n\r\nready\n");
    }

    @Test
    void givenAnyState_whenLiveIsAsked_then200() {
        assertThat(exchange("GET /live HTTP/1.1\r\nHost: admin\r\n\r\n")).startsWith("HTTP/1.1 200 OK\r\n")
                .endsWith("live\n");
    }

    @Test
    void givenAnAppliedSnapshot_whenConfigIsAsked_thenItIsTheSnapshotJson() {
        ProxySnapshot applied = TestSnapshots.frontend();
        snapshot.set(applied);

        String response = exchange("GET /config HTTP/1.1\r\nHost: admin\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n");
        assertThat(body(response)).isEqualTo(Snapshots.toJson(applied));
        assertThat(Snapshots.fromJson(body(response))).isEqualTo(applied);
    }

    @Test
    void givenNoSnapshot_whenConfigIsAsked_then503() {
        assertThat(exchange("GET /config HTTP/1.1\r\nHost: admin\r\n\r\n"))
                .startsWith("HTTP/1.1 503 Service Unavailable\r\n")
                .endsWith("{\"error\":\"no snapshot applied yet\"}");
    }

    @Test
    void givenClusterHealth_whenClustersIsAsked_thenHostsShowHealthEjectionAndActiveRequests() throws Exception {
        String response = exchange("GET /clusters HTTP/1.1\r\nHost: admin\r\n\r\n");

        JsonNode json = new ObjectMapper().readTree(body(response));
        JsonNode hosts = json.get("clusters").get(0).get("hosts");
        assertThat(json.get("clusters").get(0).get("name").asText()).isEqualTo("orders/v1");
        assertThat(hosts.get(0).toString()).isEqualTo("{\"address\":\"10.0.1.5\",\"port\":15000,"
                + "\"registryHealthy\":true,\"ejected\":false,\"ejectedFor\":\"PT0S\",\"ejections\":0,"
                + "\"consecutiveFailures\":1,\"activeRequests\":3}");
        assertThat(hosts.get(1).get("ejected").asBoolean()).isTrue();
        assertThat(hosts.get(1).get("ejectedFor").asText()).isEqualTo("PT9.5S");
    }

    @Test
    void givenRecordedRequests_whenMetricsIsAsked_thenPrometheusTextHasThem() {
        metrics.forRoute("orders", "canary", "orders/v1").record(200, 2_000_000);

        String response = exchange("GET /metrics HTTP/1.1\r\nHost: admin\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 200 OK\r\ncontent-type: text/plain; version=0.0.4; charset=utf-8\r\n");
        assertThat(body(response)).contains("trellis_proxy_requests_total{cluster=\"orders/v1\",route=\"canary\","
                + "service=\"orders\",status=\"2xx\"} 1.0");
    }

    @Test
    void givenADrainAction_whenDrainIsPosted_thenItRunsOnceAnd202() {
        assertThat(exchange("POST /drain HTTP/1.1\r\nHost: admin\r\nContent-Length: 0\r\n\r\n"))
                .startsWith("HTTP/1.1 202 Accepted\r\n");
        assertThat(drains).hasValue(1);
    }

    @Test
    void givenADrainAction_whenDrainIsFetchedWithGet_then405AndNoDrain() {
        assertThat(exchange("GET /drain HTTP/1.1\r\nHost: admin\r\n\r\n"))
                .startsWith("HTTP/1.1 405 Method Not Allowed\r\n")
                .contains("allow: POST\r\n");
        assertThat(drains).hasValue(0);
    }

    @Test
    void givenNoDrainAction_whenDrainIsPosted_then404() {
        channel.finishAndReleaseAll();
        channel = newChannel(AdminServer.builder());

        assertThat(exchange("POST /drain HTTP/1.1\r\nHost: admin\r\nContent-Length: 0\r\n\r\n"))
                .startsWith("HTTP/1.1 404 Not Found\r\n");
    }

    @Test
    void givenAnUnknownPath_whenAsked_then404ListsThePaths() {
        assertThat(exchange("GET /stats?x=1 HTTP/1.1\r\nHost: admin\r\n\r\n"))
                .startsWith("HTTP/1.1 404 Not Found\r\n")
                .endsWith("path: /stats (expected: one of /ready /live /config /clusters /metrics POST /drain)\n");
    }

    @Test
    void givenAClusterViewThatFails_whenClustersIsAsked_then500AndTheConnectionStaysUsable() {
        channel.finishAndReleaseAll();
        channel = newChannel(AdminServer.builder().clusterHealth(() -> {
            throw new IllegalStateException("view broke");
        }));

        assertThat(exchange("GET /clusters HTTP/1.1\r\nHost: admin\r\n\r\n"))
                .startsWith("HTTP/1.1 500 Internal Server Error\r\n")
                .contains("view broke");
        assertThat(exchange("GET /live HTTP/1.1\r\nHost: admin\r\n\r\n")).startsWith("HTTP/1.1 200 OK\r\n");
    }

    @Test
    void givenConnectionClose_whenAnswered_thenTheChannelIsClosed() {
        assertThat(exchange("GET /live HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n"))
                .contains("connection: close\r\n");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void givenAMalformedRequest_whenRead_then400AndClose() {
        assertThat(exchange("GET /live HTTP/1.1\r\nHost admin no colon\r\n\r\n"))
                .startsWith("HTTP/1.1 400 Bad Request\r\n");
        assertThat(channel.isOpen()).isFalse();
    }

    private static EmbeddedChannel newChannel(AdminServer.Builder builder) {
        EmbeddedChannel channel = new EmbeddedChannel();
        AdminServer.initPipeline(channel.pipeline(), builder.newHandler());
        return channel;
    }

    private String exchange(String request) {
        channel.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.US_ASCII));
        StringBuilder response = new StringBuilder();
        ByteBuf chunk;
        while ((chunk = channel.readOutbound()) != null) {
            response.append(chunk.toString(StandardCharsets.UTF_8));
            chunk.release();
        }
        return response.toString();
    }

    private static String body(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }
}
