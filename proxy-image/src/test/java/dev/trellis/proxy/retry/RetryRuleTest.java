package dev.trellis.proxy.retry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.spec.GrpcStatus;
import dev.trellis.spec.RetryEvent;
import dev.trellis.spec.RetryPolicy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RetryRule and RetryBudget")
class RetryRuleTest {

    @Test
    @DisplayName("GIVEN the default policy WHEN statuses come THEN 502/503/504 are retriable, 500 and 404 are not")
    void defaultGatewayErrors() {
        RetryRule rule = RetryRule.of(RetryPolicy.DEFAULT);
        assertThat(rule.retriesResponse(503, -1)).isTrue();
        assertThat(rule.retriesResponse(504, -1)).isTrue();
        assertThat(rule.retriesResponse(500, -1)).isFalse();
        assertThat(rule.retriesResponse(404, -1)).isFalse();
        assertThat(rule.retriesOn(RetryEvent.CONNECT_FAILURE)).isTrue();
        assertThat(rule.retriesOn(RetryEvent.PER_TRY_TIMEOUT)).isFalse();
    }

    @Test
    @DisplayName("GIVEN server-error, extra status codes and gRPC statuses WHEN matched THEN each is retriable")
    void configuredStatuses() {
        RetryRule rule = RetryRule.of(new RetryPolicy(1, List.of(RetryEvent.SERVER_ERROR, RetryEvent.RETRIABLE_STATUS_CODES),
                List.of(409), List.of(GrpcStatus.UNAVAILABLE), Duration.ofMillis(100), null, null));
        assertThat(rule.retriesResponse(500, -1)).isTrue();
        assertThat(rule.retriesResponse(409, -1)).isTrue();
        assertThat(rule.retriesResponse(200, 14)).isTrue();
        assertThat(rule.retriesResponse(200, 0)).isFalse();
        assertThat(rule.perTryTimeoutNanos()).isEqualTo(100_000_000L);
    }

    @Test
    @DisplayName("GIVEN attempts 0 WHEN anything fails THEN nothing is retriable")
    void off() {
        RetryRule rule = RetryRule.of(RetryPolicy.NONE);
        assertThat(rule.retriesResponse(503, 14)).isFalse();
        assertThat(rule.retriesOn(RetryEvent.RESET)).isFalse();
    }

    @Test
    @DisplayName("GIVEN base 25 ms and max 250 ms WHEN backoffs are drawn THEN retry n waits within [0, min(max, base*2^(n-1))]")
    void backoffBounds() {
        RetryRule rule = RetryRule.of(RetryPolicy.DEFAULT);
        long maxSeenFirst = 0;
        for (int i = 0; i < 2_000; i++) {
            long first = rule.backoffNanos(1);
            maxSeenFirst = Math.max(maxSeenFirst, first);
            assertThat(first).isBetween(0L, 25_000_000L);
            assertThat(rule.backoffNanos(3)).isBetween(0L, 100_000_000L);
            assertThat(rule.backoffNanos(20)).isBetween(0L, 250_000_000L);
        }
        // Full jitter spreads over the whole interval.
        assertThat(maxSeenFirst).isGreaterThan(20_000_000L);
    }

    @Test
    @DisplayName("GIVEN a budget of 20% with 10/s minimum WHEN there are few requests THEN 100 retries pass in the window, then none")
    void budgetMinimum() {
        RetryBudget budget = new RetryBudget(RetryPolicy.Budget.DEFAULT);
        int allowed = 0;
        for (int i = 0; i < 150; i++) {
            if (budget.tryRetry()) {
                allowed++;
            }
        }
        assertThat(allowed).isEqualTo(100);
    }

    @Test
    @DisplayName("GIVEN many requests WHEN retries are asked THEN up to 20% of them pass")
    void budgetRatio() {
        RetryBudget budget = new RetryBudget(new RetryPolicy.Budget(0.2, 0));
        for (int i = 0; i < 1_000; i++) {
            budget.onRequest();
        }
        int allowed = 0;
        for (int i = 0; i < 500; i++) {
            if (budget.tryRetry()) {
                allowed++;
            }
        }
        assertThat(allowed).isEqualTo(200);
    }
}
