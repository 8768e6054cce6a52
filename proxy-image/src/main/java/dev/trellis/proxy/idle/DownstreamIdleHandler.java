package dev.trellis.proxy.idle;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Closes a caller's connection once it has had no request in flight for the idle timeout. The
 * close goes through the whole pipeline, so an HTTP/2 connection's codec sends GOAWAY (no error)
 * first; an HTTP/1.1 connection between requests simply closes. The listener's frontends report
 * requests starting and ending; the timer fires once per idle period and re-arms itself for the
 * time left, so requests themselves schedule nothing. It handles no messages (Netty skips it on
 * reads and writes).
 */
public final class DownstreamIdleHandler extends ChannelInboundHandlerAdapter implements Runnable {

    private final LongSupplier idleTimeoutNanos;
    private Channel channel;
    /** The event loop's clock (System.nanoTime in production; a test's EmbeddedChannel can move it). */
    private Ticker ticker = Ticker.systemTicker();
    private ScheduledFuture<?> timer;
    private int inflight;
    private long idleSinceNanos;

    /** @param idleTimeoutNanos the timeout in force, read when the timer fires (a new snapshot may change it) */
    public DownstreamIdleHandler(LongSupplier idleTimeoutNanos) {
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    /** The idle handler of a caller's connection, or null when its listener has none. */
    public static DownstreamIdleHandler of(Channel connection) {
        return connection.pipeline().get(DownstreamIdleHandler.class);
    }

    /** A request arrived (it may be answered at once, or start an exchange): the connection was used now. */
    public void requestReceived() {
        if (inflight == 0) {
            idleSinceNanos = ticker.nanoTime();
        }
    }

    /** An exchange started: the connection is busy until it ends. */
    public void requestStarted() {
        inflight++;
    }

    /** An exchange ended (answered, or given up): the idle time starts when none is left. */
    public void requestEnded() {
        if (inflight > 0 && --inflight == 0) {
            idleSinceNanos = ticker.nanoTime();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        ticker = ctx.executor().ticker();
        idleSinceNanos = ticker.nanoTime();
        timer = ctx.executor().schedule(this, idleTimeoutNanos.getAsLong(), TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        ctx.fireChannelInactive();
    }

    /** The timer: close if idle long enough, else wait for the rest (or a whole period when busy). */
    @Override
    public void run() {
        timer = null;
        if (!channel.isActive()) {
            return;
        }
        long timeout = idleTimeoutNanos.getAsLong();
        long left = inflight > 0 ? timeout : idleSinceNanos + timeout - ticker.nanoTime();
        if (left <= 0) {
            channel.close();
            return;
        }
        timer = channel.eventLoop().schedule(this, left, TimeUnit.NANOSECONDS);
    }
}
