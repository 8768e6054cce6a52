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
import java.util.List;

/**
 * Sends one fire-and-forget copy of a request to a mirror cluster. The copy's Host gets a
 * {@code -shadow} suffix (as Envoy does), so the receiver can tell copies apart; its response
 * is read and dropped; a failure is ignored. Nothing here waits for, or delays, the real response.
 */
public final class RequestMirror implements StreamCallback, UpstreamListener {

    private final UpstreamHost host;
    private final HttpRequest head;
    private final List<HttpContent> body;
    private UpstreamStream stream;

    private RequestMirror(UpstreamHost host, HttpRequest head, List<HttpContent> body) {
        this.host = host;
        this.head = head;
        this.body = body;
    }

    /**
     * Sends the copy; {@code body} (the whole body, ending with a {@link LastHttpContent}) is
     * owned by the mirror from here on.
     */
    public static void send(UpstreamCluster cluster, HttpRequest original, List<HttpContent> body, EventLoop loop,
                            int connectTimeoutMillis) {
        UpstreamHost host = cluster.pick(null);
        if (host == null) {
            body.forEach(ReferenceCountUtil::release);
            return;
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
        RequestMirror mirror = new RequestMirror(host, head, body);
        host.pool(loop).acquire(mirror, connectTimeoutMillis);
    }

    @Override
    public void onStream(UpstreamStream acquired) {
        this.stream = acquired;
        acquired.attach(this);
        Channel channel = acquired.channel();
        channel.write(head, channel.voidPromise());
        for (HttpContent content : body) {
            channel.write(content, channel.voidPromise());
        }
        channel.flush();
        channel.read();
    }

    @Override
    public void onStreamFailure(Throwable cause) {
        body.forEach(ReferenceCountUtil::release);
    }

    @Override
    public void onOverloaded(RejectionReason reason) {
        body.forEach(ReferenceCountUtil::release);
    }

    @Override
    public void onUpstreamMessage(HttpObject message) {
        boolean last = message instanceof LastHttpContent;
        ReferenceCountUtil.release(message);
        if (last) {
            UpstreamStream done = stream;
            stream = null;
            if (done != null) {
                done.release(true);
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
    }

    @Override
    public void onUpstreamClosed() {
        stream = null;
    }

    @Override
    public void onUpstreamError(Throwable cause) {
        UpstreamStream current = stream;
        stream = null;
        if (current != null) {
            current.release(false);
        }
    }

    @Override
    public String toString() {
        return "mirror to " + host;
    }
}
