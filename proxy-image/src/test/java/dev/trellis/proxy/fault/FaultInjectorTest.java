package dev.trellis.proxy.fault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.spec.FaultInjection;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("FaultInjector")
class FaultInjectorTest {

    @Test
    @DisplayName("GIVEN no fault WHEN asked THEN nothing is injected")
    void none() {
        FaultInjector none = FaultInjector.of(null);
        assertThat(none.isActive()).isFalse();
        assertThat(none.abortStatus()).isZero();
        assertThat(none.delayNanos()).isZero();
    }

    @Test
    @DisplayName("GIVEN a 30% abort WHEN 10,000 requests are drawn THEN about 3,000 abort (±300)")
    void abortShare() {
        FaultInjector fault = FaultInjector.of(new FaultInjection(null, new FaultInjection.Abort(503, 30.0)));
        int aborted = 0;
        for (int i = 0; i < 10_000; i++) {
            if (fault.abortStatus() == 503) {
                aborted++;
            }
        }
        assertThat(aborted).isBetween(2_700, 3_300);
    }

    @Test
    @DisplayName("GIVEN a 100% delay of 50 ms WHEN asked THEN every request is held 50 ms")
    void delayAll() {
        FaultInjector fault = FaultInjector.of(new FaultInjection(new FaultInjection.Delay(Duration.ofMillis(50), null), null));
        assertThat(fault.delayNanos()).isEqualTo(50_000_000L);
        assertThat(fault.abortStatus()).isZero();
    }
}
