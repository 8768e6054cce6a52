package dev.trellis.hooks.canary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.testing.aws.AwsEmulator;
import dev.trellis.testing.aws.WithAwsEmulator;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@WithAwsEmulator
class CloudWatchCanaryMetricsTest {

    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MINUTES);
    private static final Instant FROM = NOW.minus(Duration.ofMinutes(5));

    private final AwsEmulator aws;
    private final ProxyTraffic traffic;
    private final CloudWatchCanaryMetrics metrics;

    CloudWatchCanaryMetricsTest(AwsEmulator aws) {
        this.aws = aws;
        this.traffic = new ProxyTraffic(aws.clients().cloudWatch());
        this.metrics = CloudWatchCanaryMetrics.of(aws.clients().cloudWatch());
    }

    @BeforeEach
    void wipe() {
        aws.reset();
    }

    @Test
    void givenTwoCallingProxies_whenRead_thenRequestsAndErrorsAreSummedOverProxiesAndMinutes() {
        traffic.minute("frontend", "orders", "checkout", "v2", NOW.minusSeconds(240), 100, 1, Duration.ofMillis(80));
        traffic.minute("frontend", "orders", "checkout", "v2", NOW.minusSeconds(120), 100, 2, Duration.ofMillis(90));
        traffic.minute("admin", "orders", "checkout", "v2", NOW.minusSeconds(120), 50, 3, Duration.ofMillis(70));

        StepMetrics read = metrics.read("orders", "checkout", "v2", FROM, NOW);

        assertThat(read.requests()).isEqualTo(256);
        assertThat(read.serverErrors()).isEqualTo(6);
        assertThat(read.successRate()).isEqualTo(250 / 256.0);
    }

    @Test
    void givenSeveralP99Reports_whenRead_thenTheWorstOneCounts() {
        traffic.minute("frontend", "orders", "checkout", "v2", NOW.minusSeconds(240), 100, 0, Duration.ofMillis(80));
        traffic.minute("admin", "orders", "checkout", "v2", NOW.minusSeconds(120), 100, 0, Duration.ofMillis(640));
        traffic.minute("frontend", "orders", "checkout", "v2", NOW.minusSeconds(60), 100, 0, Duration.ofMillis(120));

        assertThat(metrics.read("orders", "checkout", "v2", FROM, NOW).p99Latency()).contains(Duration.ofMillis(640));
    }

    @Test
    void givenTrafficOfOtherVersionsRoutesAndTimes_whenRead_thenOnlyTheWindowOfThisClusterAndRouteCounts() {
        traffic.minute("frontend", "orders", "checkout", "v2", NOW.minusSeconds(60), 10, 0, Duration.ofMillis(50));
        traffic.minute("frontend", "orders", "checkout", "v1", NOW.minusSeconds(60), 1000, 500, Duration.ofMillis(900));
        traffic.minute("frontend", "orders", "beta", "v2", NOW.minusSeconds(60), 1000, 500, Duration.ofMillis(900));
        traffic.minute("frontend", "orders", "checkout", "v2", FROM.minusSeconds(60), 1000, 500, Duration.ofMillis(900));
        traffic.minute("frontend", "orders", "checkout", "v2", NOW, 1000, 500, Duration.ofMillis(900));

        StepMetrics read = metrics.read("orders", "checkout", "v2", FROM, NOW);

        assertThat(read).isEqualTo(StepMetrics.of(10, 0, Duration.ofMillis(50)));
    }

    @Test
    void givenNoTraffic_whenRead_thenNothingAndNoLatency() {
        StepMetrics read = metrics.read("orders", "checkout", "v2", FROM, NOW);

        assertThat(read.requests()).isZero();
        assertThat(read.p99Latency()).isEqualTo(Optional.empty());
        assertThat(read.successRate()).isEqualTo(1.0);
    }
}
