package dev.trellis.snapshot.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private static final Duration INITIAL = Duration.ofMillis(100);
    private static final Duration MAX = Duration.ofSeconds(2);

    @Test
    @DisplayName("GIVEN the lowest random draw WHEN failures add up THEN the delay is half of a doubling ceiling")
    void lowestDrawIsHalfTheCeiling() {
        Backoff backoff = Backoff.exponential(INITIAL, MAX, () -> 0.0);

        assertThat(backoff.delay(1)).isEqualTo(Duration.ofMillis(50));
        assertThat(backoff.delay(2)).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.delay(3)).isEqualTo(Duration.ofMillis(200));
    }

    @Test
    @DisplayName("GIVEN the highest random draw WHEN failures go on THEN the delay reaches the maximum and stays there")
    void highestDrawIsCappedAtTheMaximum() {
        Backoff backoff = Backoff.exponential(INITIAL, MAX, () -> 0.999999);

        assertThat(backoff.delay(1)).isEqualTo(Duration.ofMillis(99));
        assertThat(backoff.delay(5)).isEqualTo(Duration.ofMillis(1599));
        assertThat(backoff.delay(6)).isEqualTo(Duration.ofMillis(1999));
        assertThat(backoff.delay(1_000)).isEqualTo(Duration.ofMillis(1999));
    }

    @Test
    @DisplayName("GIVEN real randomness WHEN many delays are drawn THEN each lies between half and all of its ceiling, and they differ")
    void realDrawsAreJittered() {
        Backoff backoff = Backoff.exponential(INITIAL, MAX);

        java.util.Set<Duration> seen = new java.util.HashSet<>();
        for (int i = 0; i < 200; i++) {
            Duration d = backoff.delay(4);
            assertThat(d).isBetween(Duration.ofMillis(400), Duration.ofMillis(800));
            seen.add(d);
        }
        assertThat(seen).hasSizeGreaterThan(10);
    }

    @Test
    @DisplayName("GIVEN a maximum below the initial delay THEN the backoff is refused naming both")
    void maxBelowInitialIsRefused() {
        assertThatThrownBy(() -> Backoff.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("max: PT1S (expected: >= initial PT2S)");
    }
}
