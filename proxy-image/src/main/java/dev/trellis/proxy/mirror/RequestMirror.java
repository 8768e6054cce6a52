package dev.trellis.proxy.mirror;

import dev.trellis.proxy.metrics.RejectionReason;
import dev.trellis.proxy.upstream.StreamCallback;
import dev.trellis.proxy.upstream.UpstreamCluster;
import dev.trellis.proxy.upstream.UpstreamHost;
import dev.trellis.proxy.upstream.UpstreamListener;
import dev.trellis.proxy.upstream.UpstreamStream;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * A fire-and-forget copy of one request to a mirror cluster, streamed as the request's body
 * arrives: each piece is shared with the real request (a retained duplicate, no copy) and written
 * to the mirror at once. The mirror never holds the real request back, as it takes no part in
 * reading the caller: pieces the mirror cannot take yet (while it connects, or while its socket or
 * HTTP/2 window is full) wait, and when more than {@link #MAX_LAG_BYTES} would wait, the copy is
 * dropped, its stream reset, and the drop counted. The copy's Host gets a {@code -shadow} suffix
 * (as Envoy does); its response is read and dropped; a failure is ignored. All on the real
 * request's event loop, so no locks.
 */
public final class RequestMirror implements StreamCallback, UpstreamListener {

    /**
     * How far a copy may fall behind the real request before it is dropped: 1 MiB, Envoy's default
     * per-connection buffer limit. At least a few body pieces (up to 64 KiB each) must fit, or an
     * HTTP/2 mirror would be dropped whenever its first window (64 KiB) runs out.
     */
    public static final int MAX_LAG_BYTES = 1 << 20;

    private final UpstreamCluster cluster;
    private final UpstreamHost host;
    private final HttpRequest head;
    /** Pieces that arrived while the mirror's stream was being acquired. */
    private ArrayDeque<HttpContent> waiting;
    private int waitingBytes;
    private UpstreamStream stream;
    private boolean requestComplete;
    /** Dropped, failed, answered or cancelled: nothing more goes to the mirror. */
    private boolean over;

    private RequestMirror(UpstreamCluster cluster, UpstreamHost host, HttpRequest head) {
        this.cluster = cluster;
        this.host = host;
        this.head = head;
    }

    /**
     * Starts a copy of {@code original} (its head only: feed the body with {@link #onContent}).
     *
     * @return the copy, or null when the cluster has no host to send it to
     */
    public static RequestMirror start(UpstreamCluster cluster, HttpRequest original, EventLoop loop,
                                      int connectTimeoutMillis) {
        UpstreamHost host = cluster.pick(null);
        if (host == null) {
            return null;
        }
        HttpHeaders headers = original.headers().copy();
        String authority = headers.get(HttpHeaderNames.HOST);
        if (authority != null) {
            int colon = authority.lastIndexOf(':');
            headers.set(HttpHeaderNames.HOST, colon > 0 && !authority.endsWith("]")
                    ? authority.substring(0, colon) + "-shadow" + authority.substring(colon)
                    : authority + "-shadow");
        }
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, original.method(), original.uri(), headers);
        RequestMirror mirror = new RequestMirror(cluster, host, head);
        host.pool(loop).acquire(mirror, connectTimeoutMillis);
        return mirror;
    }

    /** A piece of the real request's body; the caller keeps its own reference (the mirror retains a duplicate). */
    public void onContent(HttpContent content) {
        if (over) {
            return;
        }
        requestComplete = content instanceof LastHttpContent;
        UpstreamStream current = stream;
        if (current == null || waiting != null && !waiting.isEmpty() || !current.channel().isWritable()) {
            // Connecting, or behind (socket full, HTTP/2 window shut): the piece waits, up to the limit.
            int size = content.content().readableBytes();
            if (waitingBytes + size > MAX_LAG_BYTES) {
                drop();
                return;
            }
            if (waiting == null) {
                waiting = new ArrayDeque<>(4);
            }
            waiting.add(content.retainedDuplicate());
            waitingBytes += size;
            return;
        }
        // Flushed piece by piece, so that only what the mirror's socket refuses waits in the
        // outbound buffer: unwritable then means the mirror is behind, not that a read was large.
        Channel channel = current.channel();
        channel.writeAndFlush(content.retainedDuplicate(), channel.voidPromise());
    }

    /** Writes waiting pieces while the mirror takes them ({@code all}: regardless, right after the head). */
    private void writeWaiting(Channel channel, boolean all) {
        if (waiting != null) {
            HttpContent piece;
            while ((all || channel.isWritable()) && (piece = waiting.poll()) != null) {
                waitingBytes -= piece.content().readableBytes();
                channel.write(piece, channel.voidPromise());
            }
        }
        channel.flush();
    }

    /**
     * The real request ended before its body did (the caller went away, or was answered early):
     * a copy still missing body pieces is given up, uncounted. A complete copy finishes on its own.
     */
    public void cancelIfIncomplete() {
        if (!over && !requestComplete) {
            over = true;
            releaseWaiting();
            UpstreamStream current = stream;
            stream = null;
            if (current != null) {
                current.release(false);
            }
        }
    }

    /** The copy cannot keep up with the real request: it is given up and counted. */
    private void drop() {
        cancelIfIncomplete();
        cluster.meters().mirrorDropped();
    }

    private void releaseWaiting() {
        if (waiting != null) {
            HttpContent piece;
            while ((piece = waiting.poll()) != null) {
                piece.release();
            }
        }
        waitingBytes = 0;
    }

    @Override
    public void onStream(UpstreamStream acquired) {
        if (over) {
            // Given up while connecting: an unused HTTP/1.1 connection can serve the next request.
            acquired.release(!acquired.multiplexed());
            return;
        }
        this.stream = acquired;
        acquired.attach(this);
        Channel channel = acquired.channel();
        channel.write(head, channel.voidPromise());
        writeWaiting(channel, true);
        channel.read();
    }

    @Override
    public void onStreamFailure(Throwable cause) {
        over = true;
        releaseWaiting();
    }

    @Override
    public void onOverloaded(RejectionReason reason) {
        over = true;
        releaseWaiting();
    }

    @Override
    public void onUpstreamMessage(HttpObject message) {
        boolean last = message instanceof LastHttpContent;
        ReferenceCountUtil.release(message);
        if (last) {
            UpstreamStream done = stream;
            stream = null;
            // Answered before the whole copy was sent: the rest is not sent, and the connection not reused.
            boolean reusable = requestComplete;
            over = true;
            if (done != null) {
                done.release(reusable);
            }
        }
    }

    @Override
    public void onUpstreamReadComplete() {
        UpstreamStream current = stream;
        if (current != null) {
            current.channel().read();
        }
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
        UpstreamStream current = stream;
        if (writable && current != null && !over) {
            writeWaiting(current.channel(), false);
        }
    }

    @Override
    public void onUpstreamClosed() {
        stream = null;
        over = true;
    }

    @Override
    public void onUpstreamError(Throwable cause) {
        UpstreamStream current = stream;
        stream = null;
        over = true;
        if (current != null) {
            current.release(false);
        }
    }

    @Override
    public String toString() {
        return "mirror to " + host;
    }
}
