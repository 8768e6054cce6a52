package dev.trellis.cloudmap.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private final Backoff backoff = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(2));

    @Test
    @DisplayName("GIVEN a 100 ms base and 2 s cap WHEN attempts grow THEN the ceiling doubles and stops at the cap")
    void ceilingDoublesUpToTheCap() {
        assertThat(backoff.ceiling(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.ceiling(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(backoff.ceiling(5)).isEqualTo(Duration.ofMillis(1600));
        assertThat(backoff.ceiling(6)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.ceiling(1000)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    @DisplayName("GIVEN many draws WHEN delays are computed THEN each lies within [0, ceiling] and they differ (jitter)")
    void delaysAreJitteredWithinTheCeiling() {
        Set<Duration> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            Duration delay = backoff.delay(3);
            assertThat(delay).isBetween(Duration.ZERO, Duration.ofMillis(400));
            seen.add(delay);
        }
        assertThat(seen).hasSizeGreaterThan(50);
    }

    @Test
    @DisplayName("GIVEN invalid settings WHEN built or asked THEN the error names the field and what is expected")
    void rejectsInvalidSettings() {
        assertThatThrownBy(() -> Backoff.exponential(Duration.ZERO, Duration.ofSeconds(1))).hasMessage("base: PT0S (expected: > 0)");
        assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessage("max: PT1S (expected: >= base PT2S)");
        assertThatThrownBy(() -> backoff.delay(0)).hasMessage("attempt: 0 (expected: >= 1)");
    }
}
