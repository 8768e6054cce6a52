package dev.trellis.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.ProxyServer;
import dev.trellis.proxy.fixtures.Clients;
import dev.trellis.proxy.fixtures.Mesh;
import dev.trellis.proxy.fixtures.UpstreamServer;
import dev.trellis.snapshot.ProxySnapshot;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Snapshot swaps under load")
class SnapshotSwapTest {

    private static final String SPLIT = """
              - name: orders
                port: 8081
                versions: [v1, v2]
                routes:
                  - name: split
                    targets: [{ version: v1, weight: %d }, { version: v2, weight: %d }]
            """;

    @Test
    @DisplayName("GIVEN 4 callers sending without pause WHEN 20 snapshots with new weights are applied THEN no request fails and both versions serve")
    void swapUnderLoadLosesNothing() throws Exception {
        try (UpstreamServer v1 = UpstreamServer.http1("v1", r -> UpstreamServer.delay(2, UpstreamServer.ok("v1")));
             UpstreamServer v2 = UpstreamServer.http1("v2", r -> UpstreamServer.delay(2, UpstreamServer.ok("v2")))) {
            Mesh mesh = Mesh.spec(SPLIT.formatted(50, 50))
                    .endpoints("orders", "v1", v1).endpoints("orders", "v2", v2);
            try (ProxyServer proxy = Mesh.start(mesh.withServices(SPLIT.formatted(50, 50)).snapshot())) {
                HttpClient client = Clients.viaProxy(proxy.outboundPort());
                AtomicBoolean running = new AtomicBoolean(true);
                AtomicInteger ok = new AtomicInteger();
                Map<String, Integer> failures = new ConcurrentHashMap<>();
                ExecutorService callers = Executors.newFixedThreadPool(4);
                List<Future<?>> done = new ArrayList<>();
                for (int c = 0; c < 4; c++) {
                    done.add(callers.submit(() -> {
                        while (running.get()) {
                            try {
                                HttpResponse<String> response = Clients.get(client, "http://orders/");
                                if (response.statusCode() == 200) {
                                    ok.incrementAndGet();
                                } else {
                                    failures.merge("status " + response.statusCode(), 1, Integer::sum);
                                }
                            } catch (Exception e) {
                                failures.merge(e.toString(), 1, Integer::sum);
                            }
                        }
                    }));
                }
                String versionBefore = proxy.currentSnapshot().get().version();
                for (int i = 0; i < 20; i++) {
                    int w = 10 + (i * 37) % 80;
                    ProxySnapshot next = mesh.withServices(SPLIT.formatted(w, 100 - w)).snapshot();
                    proxy.apply(next);
                    Thread.sleep(50);
                }
                running.set(false);
                for (Future<?> f : done) {
                    f.get();
                }
                callers.shutdownNow();

                assertThat(failures).isEmpty();
                assertThat(ok.get()).isGreaterThan(100);
                assertThat(proxy.currentSnapshot().get().version()).isNotEqualTo(versionBefore);
                assertThat(v1.requests()).isPositive();
                assertThat(v2.requests()).isPositive();
                // Pools survived the swaps: connections were reused, not reopened per snapshot.
                assertThat(v1.connections() + v2.connections()).isLessThan(40);
            }
        }
    }

}
