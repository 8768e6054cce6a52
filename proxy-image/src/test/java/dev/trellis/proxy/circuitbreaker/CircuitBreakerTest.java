package dev.trellis.proxy.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.spec.ConnectionLimits;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("CircuitBreaker counters")
class CircuitBreakerTest {

    @Test
    @DisplayName("GIVEN maxRequests 2 WHEN three are acquired THEN the third is refused until one is released")
    void requests() {
        CircuitBreaker breaker = new CircuitBreaker(new ConnectionLimits(10, 10, 2));
        assertThat(breaker.tryAcquireRequest()).isTrue();
        assertThat(breaker.tryAcquireRequest()).isTrue();
        assertThat(breaker.tryAcquireRequest()).isFalse();
        breaker.releaseRequest();
        assertThat(breaker.tryAcquireRequest()).isTrue();
        assertThat(breaker.requests()).isEqualTo(2);
    }

    @Test
    @DisplayName("GIVEN new limits from a snapshot WHEN applied THEN counts carry on under the new limits")
    void limitsChange() {
        CircuitBreaker breaker = new CircuitBreaker(new ConnectionLimits(1, 0, 1));
        assertThat(breaker.tryAcquireConnection()).isTrue();
        assertThat(breaker.tryAcquireConnection()).isFalse();
        assertThat(breaker.tryAcquirePending()).isFalse();

        breaker.limits(new ConnectionLimits(2, 1, 1));

        assertThat(breaker.tryAcquireConnection()).isTrue();
        assertThat(breaker.connections()).isEqualTo(2);
        assertThat(breaker.tryAcquirePending()).isTrue();
    }

    @Test
    @DisplayName("GIVEN pools waiting for a connection slot WHEN one is released THEN exactly one waiter is woken")
    void slotWaiters() {
        CircuitBreaker breaker = new CircuitBreaker(new ConnectionLimits(1, 10, 10));
        AtomicInteger woken = new AtomicInteger();
        breaker.tryAcquireConnection();
        breaker.awaitConnection(woken::incrementAndGet);
        breaker.awaitConnection(woken::incrementAndGet);
        assertThat(breaker.hasConnectionWaiters()).isTrue();

        breaker.releaseConnection();

        assertThat(woken).hasValue(1);
        assertThat(breaker.hasConnectionWaiters()).isTrue();
    }
}
