package dev.trellis.proxy.idle;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("DownstreamIdleHandler: a caller's connection closes after the idle timeout with no request in flight")
class DownstreamIdleHandlerTest {

    private final AtomicLong timeoutMillis = new AtomicLong(100);
    private final DownstreamIdleHandler idle =
            new DownstreamIdleHandler(() -> TimeUnit.MILLISECONDS.toNanos(timeoutMillis.get()));

    private EmbeddedChannel connection() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(idle);
        channel.pipeline().fireChannelActive();
        return channel;
    }

    private static void advance(EmbeddedChannel channel, long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    @Test
    @DisplayName("GIVEN a new connection that sends nothing WHEN 99 ms pass THEN it is open, and at 100 ms it is closed")
    void unusedConnectionCloses() {
        EmbeddedChannel channel = connection();

        advance(channel, 99);
        assertThat(channel.isOpen()).isTrue();

        advance(channel, 1);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    @DisplayName("GIVEN a request in flight WHEN ten idle timeouts pass THEN the connection stays open")
    void busyConnectionStaysOpen() {
        EmbeddedChannel channel = connection();
        idle.requestReceived();
        idle.requestStarted();

        for (int i = 0; i < 10; i++) {
            advance(channel, 100);
        }

        assertThat(channel.isOpen()).isTrue();
        channel.finishAndReleaseAll();
    }

    @Test
    @DisplayName("GIVEN a request that ends at 250 ms WHEN the next 99 ms pass THEN open; at 100 ms after its end THEN closed")
    void idleTimeCountsFromTheLastRequestsEnd() {
        EmbeddedChannel channel = connection();
        idle.requestStarted();
        advance(channel, 250);
        idle.requestEnded();

        advance(channel, 99);
        assertThat(channel.isOpen()).isTrue();

        advance(channel, 1);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    @DisplayName("GIVEN two exchanges in flight (HTTP/2 streams) WHEN only one ends THEN the connection is still busy")
    void everyExchangeMustEnd() {
        EmbeddedChannel channel = connection();
        idle.requestStarted();
        idle.requestStarted();

        idle.requestEnded();
        advance(channel, 500);

        assertThat(channel.isOpen()).isTrue();
        idle.requestEnded();
        advance(channel, 100);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    @DisplayName("GIVEN requests answered at once every 60 ms WHEN no exchange is ever in flight THEN each one restarts the idle time")
    void localRepliesCountAsUse() {
        EmbeddedChannel channel = connection();

        for (int i = 0; i < 5; i++) {
            advance(channel, 60);
            idle.requestReceived();
        }
        assertThat(channel.isOpen()).isTrue();

        advance(channel, 100);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    @DisplayName("GIVEN a new snapshot that shortens the idle timeout WHEN the timer next fires THEN the new value applies")
    void newTimeoutApplies() {
        EmbeddedChannel channel = connection();
        timeoutMillis.set(1_000);
        advance(channel, 100);
        assertThat(channel.isOpen()).isTrue();

        advance(channel, 900);

        assertThat(channel.isOpen()).isFalse();
    }
}
