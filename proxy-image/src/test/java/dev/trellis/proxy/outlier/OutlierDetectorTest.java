package dev.trellis.proxy.outlier;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.spec.OutlierDetection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("OutlierDetector")
class OutlierDetectorTest {

    private final List<Long> ejections = new ArrayList<>();

    private OutlierDetector detector(int failures, int maxPercent) {
        return new OutlierDetector(new OutlierDetection(failures, Duration.ofSeconds(10), Duration.ofMillis(100), maxPercent),
                (host, nanos) -> ejections.add(nanos));
    }

    private static List<HostHealth> hosts(int n) {
        List<HostHealth> hosts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            hosts.add(new HostHealth());
        }
        return hosts;
    }

    @Test
    @DisplayName("GIVEN 3 failures to eject WHEN a success breaks the run THEN the count starts over")
    void consecutiveOnly() {
        OutlierDetector detector = detector(3, 50);
        List<HostHealth> hosts = hosts(4);
        HostHealth host = hosts.get(0);

        detector.onFailure(host, hosts, Function.identity());
        detector.onFailure(host, hosts, Function.identity());
        detector.onSuccess(host);
        detector.onFailure(host, hosts, Function.identity());
        detector.onFailure(host, hosts, Function.identity());
        assertThat(host.ejected(System.nanoTime())).isFalse();

        assertThat(detector.onFailure(host, hosts, Function.identity())).isTrue();
        assertThat(host.ejected(System.nanoTime())).isTrue();
    }

    @Test
    @DisplayName("GIVEN 10% max ejection of 2 hosts WHEN both fail THEN one is ejected anyway (at least one may be), not two")
    void atLeastOneNeverMore() {
        OutlierDetector detector = detector(1, 10);
        List<HostHealth> hosts = hosts(2);

        assertThat(detector.onFailure(hosts.get(0), hosts, Function.identity())).isTrue();
        assertThat(detector.onFailure(hosts.get(1), hosts, Function.identity())).isFalse();
    }

    @Test
    @DisplayName("GIVEN a host ejected before WHEN it is ejected again soon THEN the ejection is longer (base times count)")
    void growingEjection() throws InterruptedException {
        OutlierDetector detector = detector(1, 100);
        List<HostHealth> hosts = hosts(1);
        HostHealth host = hosts.get(0);

        detector.onFailure(host, hosts, Function.identity());
        Thread.sleep(120);
        assertThat(host.ejected(System.nanoTime())).isFalse();
        detector.onFailure(host, hosts, Function.identity());

        assertThat(ejections).containsExactly(100_000_000L, 200_000_000L);
        assertThat(host.ejections()).isEqualTo(2);
    }
}
