package dev.trellis.snapshot.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.snapshot.Endpoint;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.client.cloudmap.CloudMapDirectory;
import dev.trellis.snapshot.client.cloudmap.CloudMapFixture;
import dev.trellis.testing.aws.AwsEmulator;
import dev.trellis.testing.aws.WithAwsEmulator;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the controller stays away, the proxy reads endpoints from Cloud Map (moto) itself. */
@WithAwsEmulator
class CloudMapFallbackTest {

    private static final ProxySnapshot LAST = TestSnapshots.frontend(Map.of(
            "orders/v1", List.of(Endpoint.of("10.0.0.1", 15000)),
            "frontend/v1", List.of(Endpoint.of("10.0.9.9", 15000))));

    @TempDir
    Path dir;
    private CloudMapFixture cloudMap;

    @BeforeEach
    void namespace(AwsEmulator aws) {
        aws.reset();
        cloudMap = new CloudMapFixture(aws.clients().serviceDiscovery(), "shop.local");
    }

    @Test
    @DisplayName("GIVEN the last snapshot and new instances in Cloud Map WHEN the fallback refreshes THEN every cluster holds Cloud Map's endpoints and the routes are kept")
    void refreshReplacesEndpointsAndKeepsEverythingElse(AwsEmulator aws) {
        cloudMap.register("orders", "t-2", "10.0.2.2", 15000, "v2");
        cloudMap.register("orders", "t-1", "10.0.2.1", 15000, "v1");
        cloudMap.register("orders", "t-3", "10.0.2.0", 15000, "v1");

        ProxySnapshot fresh = CloudMapFallback.of(CloudMapDirectory.of(aws.clients().serviceDiscovery())).refresh(LAST);

        assertThat(fresh.cluster("orders/v1").orElseThrow().endpoints()).extracting(Endpoint::address)
                .containsExactly("10.0.2.0", "10.0.2.1");
        assertThat(fresh.cluster("orders/v2").orElseThrow().endpoints()).extracting(Endpoint::address)
                .containsExactly("10.0.2.2");
        assertThat(fresh.cluster("frontend/v1").orElseThrow().endpoints()).isEmpty();
        assertThat(fresh.outbound()).isEqualTo(LAST.outbound());
        assertThat(fresh.inbound()).isEqualTo(LAST.inbound());
        assertThat(fresh.version()).isNotEqualTo(LAST.version());
    }

    @Test
    @DisplayName("GIVEN a proxy with a persisted snapshot WHEN the controller stays away longer than fallbackAfter THEN it applies a snapshot with Cloud Map's endpoints")
    void proxyFallsBackToCloudMapWhenTheControllerStaysAway(AwsEmulator aws) throws Exception {
        Path file = dir.resolve("snapshot.json");
        SnapshotFile.at(file).save(LAST);
        cloudMap.register("orders", "t-7", "10.0.7.7", 15000, "v1");
        TestSnapshots.Recorder proxy = new TestSnapshots.Recorder();

        try (ControllerSnapshotSource source = ControllerSnapshotSource.builder(unreachable(), "frontend")
                .snapshotFile(file)
                .backoff(Backoff.exponential(Duration.ofMillis(20), Duration.ofMillis(100)))
                .fallbackAfter(Duration.ofMillis(200))
                .fallbackInterval(Duration.ofMillis(50))
                .cloudMapFallback(CloudMapFallback.of(CloudMapDirectory.of(aws.clients().serviceDiscovery())))
                .build()) {
            source.start(proxy::accept);

            ProxySnapshot persisted = proxy.await(s -> true, Duration.ofSeconds(5));
            ProxySnapshot fallback = proxy.await(s -> s != persisted, Duration.ofSeconds(5));

            assertThat(persisted).isEqualTo(LAST);
            assertThat(fallback.cluster("orders/v1").orElseThrow().endpoints())
                    .extracting(Endpoint::address).containsExactly("10.0.7.7");
            assertThat(source.origin()).isEqualTo(ControllerSnapshotSource.Origin.CLOUD_MAP);
        }
    }

    @Test
    @DisplayName("GIVEN a proxy that falls back WHEN Cloud Map changes THEN the next refresh applies the change")
    void fallbackFollowsCloudMapChanges(AwsEmulator aws) throws Exception {
        Path file = dir.resolve("snapshot.json");
        SnapshotFile.at(file).save(LAST);
        cloudMap.register("orders", "t-7", "10.0.7.7", 15000, "v1");
        TestSnapshots.Recorder proxy = new TestSnapshots.Recorder();

        try (ControllerSnapshotSource source = ControllerSnapshotSource.builder(unreachable(), "frontend")
                .snapshotFile(file)
                .backoff(Backoff.exponential(Duration.ofMillis(20), Duration.ofMillis(100)))
                .fallbackAfter(Duration.ZERO)
                .fallbackInterval(Duration.ofMillis(50))
                .cloudMapFallback(CloudMapFallback.of(CloudMapDirectory.of(aws.clients().serviceDiscovery())))
                .build()) {
            source.start(proxy::accept);
            proxy.await(s -> s.cluster("orders/v1").orElseThrow().endpoints().size() == 1
                    && s.cluster("orders/v1").orElseThrow().endpoints().get(0).address().equals("10.0.7.7"),
                    Duration.ofSeconds(5));

            cloudMap.register("orders", "t-8", "10.0.8.8", 15000, "v1");

            proxy.await(s -> s.cluster("orders/v1").orElseThrow().endpoints().size() == 2, Duration.ofSeconds(5));
        }
    }

    @Test
    @DisplayName("GIVEN a proxy falling back with a long fallback interval WHEN Cloud Map changes within it THEN Cloud Map is not read again yet")
    void fallbackReadsCloudMapAtMostOncePerInterval(AwsEmulator aws) throws Exception {
        Path file = dir.resolve("snapshot.json");
        SnapshotFile.at(file).save(LAST);
        cloudMap.register("orders", "t-7", "10.0.7.7", 15000, "v1");
        TestSnapshots.Recorder proxy = new TestSnapshots.Recorder();

        try (ControllerSnapshotSource source = ControllerSnapshotSource.builder(unreachable(), "frontend")
                .snapshotFile(file)
                .backoff(Backoff.exponential(Duration.ofMillis(20), Duration.ofMillis(40)))
                .fallbackAfter(Duration.ZERO)
                .fallbackInterval(Duration.ofMinutes(10))
                .cloudMapFallback(CloudMapFallback.of(CloudMapDirectory.of(aws.clients().serviceDiscovery())))
                .build()) {
            source.start(proxy::accept);
            proxy.await(s -> s.cluster("orders/v1").orElseThrow().endpoints().size() == 1
                    && s.cluster("orders/v1").orElseThrow().endpoints().get(0).address().equals("10.0.7.7"),
                    Duration.ofSeconds(5));

            cloudMap.register("orders", "t-8", "10.0.8.8", 15000, "v1");
            Thread.sleep(500);

            assertThat(proxy.applied.get(proxy.applied.size() - 1).cluster("orders/v1").orElseThrow().endpoints())
                    .hasSize(1);
        }
    }

    private static URI unreachable() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        return URI.create("http://127.0.0.1:" + port);
    }
}
