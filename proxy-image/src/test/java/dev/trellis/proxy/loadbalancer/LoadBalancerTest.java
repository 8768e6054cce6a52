package dev.trellis.proxy.loadbalancer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Load balancers: round robin, least request, peak EWMA")
class LoadBalancerTest {

    /** A host whose numbers a test sets. */
    static final class FakeHost implements BalancedHost {
        final String name;
        int inflight;
        double latency;
        boolean available = true;

        FakeHost(String name) {
            this.name = name;
        }

        @Override
        public int inflight() {
            return inflight;
        }

        @Override
        public double latencyEwma(long nowNanos) {
            return latency;
        }

        @Override
        public boolean available(long nowNanos) {
            return available;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private final FakeHost a = new FakeHost("a");
    private final FakeHost b = new FakeHost("b");
    private final FakeHost c = new FakeHost("c");
    private final List<FakeHost> hosts = List.of(a, b, c);

    private static Map<FakeHost, Integer> picks(LoadBalancer balancer, List<FakeHost> hosts, int n) {
        Map<FakeHost, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(balancer.pick(hosts, null), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    @DisplayName("GIVEN round robin WHEN 300 picks are made THEN each host gets 100")
    void roundRobinEven() {
        assertThat(picks(LoadBalancer.roundRobin(), hosts, 300)).containsEntry(a, 100).containsEntry(b, 100)
                .containsEntry(c, 100);
    }

    @Test
    @DisplayName("GIVEN an unavailable host WHEN picking with any balancer THEN it is skipped")
    void skipsUnavailable() {
        b.available = false;
        for (LoadBalancer balancer : List.of(LoadBalancer.roundRobin(), LoadBalancer.leastRequest(), LoadBalancer.peakEwma())) {
            assertThat(picks(balancer, hosts, 200)).doesNotContainKey(b);
        }
    }

    @Test
    @DisplayName("GIVEN every host unavailable WHEN picking THEN one is still picked (panic mode)")
    void panicMode() {
        a.available = false;
        b.available = false;
        c.available = false;
        assertThat(LoadBalancer.roundRobin().pick(hosts, null)).isNotNull();
        assertThat(LoadBalancer.leastRequest().pick(hosts, null)).isNotNull();
    }

    @Test
    @DisplayName("GIVEN a retry excluding the tried host WHEN another exists THEN another is picked")
    void excludesTried() {
        for (LoadBalancer balancer : List.of(LoadBalancer.roundRobin(), LoadBalancer.leastRequest(), LoadBalancer.peakEwma())) {
            for (int i = 0; i < 50; i++) {
                assertThat(balancer.pick(hosts, h -> h == a || h == b)).isSameAs(c);
            }
        }
    }

    @Test
    @DisplayName("GIVEN least request WHEN one host has many requests in flight THEN it is picked only when drawn against itself never")
    void leastRequestAvoidsBusy() {
        a.inflight = 50;
        Map<FakeHost, Integer> counts = picks(LoadBalancer.leastRequest(), hosts, 3_000);
        // Two distinct random choices: the busy host loses every comparison.
        assertThat(counts.getOrDefault(a, 0)).isLessThan(150);
        assertThat(counts.get(b) + counts.get(c)).isGreaterThan(2_850);
    }

    @Test
    @DisplayName("GIVEN peak EWMA WHEN one host is ten times slower THEN it gets few requests")
    void ewmaAvoidsSlow() {
        a.latency = 10_000_000;
        b.latency = 1_000_000;
        c.latency = 1_000_000;
        Map<FakeHost, Integer> counts = picks(LoadBalancer.peakEwma(), hosts, 3_000);
        assertThat(counts.getOrDefault(a, 0)).isLessThan(150);
    }

    @Test
    @DisplayName("GIVEN an empty cluster WHEN picking THEN null")
    void empty() {
        assertThat(LoadBalancer.roundRobin().pick(List.<FakeHost>of(), null)).isNull();
        assertThat(LoadBalancer.leastRequest().pick(List.<FakeHost>of(), null)).isNull();
    }
}
