package dev.trellis.proxy.forward;

import dev.trellis.proxy.accesslog.AccessLogEntry;
import dev.trellis.proxy.http.HopByHopHeaders;
import dev.trellis.proxy.http.LocalReply;
import dev.trellis.proxy.metrics.BadRequestReason;
import dev.trellis.proxy.metrics.RejectionReason;
import dev.trellis.proxy.mirror.RequestMirror;
import dev.trellis.proxy.routing.CompiledRoute;
import dev.trellis.proxy.routing.RouteTarget;
import dev.trellis.proxy.retry.RetryRule;
import dev.trellis.proxy.upstream.StreamCallback;
import dev.trellis.proxy.upstream.UpstreamCluster;
import dev.trellis.proxy.upstream.UpstreamHost;
import dev.trellis.proxy.upstream.UpstreamListener;
import dev.trellis.proxy.upstream.UpstreamStream;
import dev.trellis.spec.RetryEvent;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One request on its way through the proxy, from its head to the end of its response. It runs
 * entirely on the caller's event loop (upstream connections live on the same loop), so it has
 * no locks. The body streams through: each piece is written upstream as it comes, and kept (by
 * reference, not copied) only while the request can still be replayed, up to the retry buffer
 * limit. Until the response head is forwarded, a failed try (connect failure, reset, per-try
 * timeout, retriable status) can be retried on another host; after it, failures reset the caller.
 */
final class ProxyExchange {

    private static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");

    private final ForwardingFrontendHandler frontend;
    private final ChannelHandlerContext down;
    private final ForwardingContext context;
    private final CompiledRoute route;
    /** The weighted target of the current try: drawn again for each retry. */
    private RouteTarget target;
    private UpstreamCluster cluster;
    private final RetryRule retry;
    private final HttpRequest upstreamHead;
    private final boolean grpc;
    private final boolean closeAfter;
    private final boolean multiplexed;
    private final boolean bodyless;
    private final long startNanos = System.nanoTime();
    private final long startMillis = System.currentTimeMillis();

    private final List<HttpContent> body = new ArrayList<>(2);
    private int bodyBytes;
    private int sent;
    private boolean replayable = true;
    private boolean requestComplete;
    private RequestMirror mirror;

    private Attempt attempt;
    private int retries;
    private UpstreamHost[] tried;
    private int triedCount;
    private ScheduledFuture<?> requestTimer;
    private ScheduledFuture<?> delayTimer;
    private boolean holdsRequestSlot;
    private boolean responseStarted;
    private boolean finished;
    private int status;
    private long bytesSent;
    private UpstreamHost lastHost;

    ProxyExchange(ForwardingFrontendHandler frontend, ChannelHandlerContext down, ForwardingContext context,
                  CompiledRoute route, HttpRequest head, boolean closeAfter, boolean bodyless) {
        this.frontend = frontend;
        this.down = down;
        this.context = context;
        this.route = route;
        this.target = route.pickTarget();
        this.cluster = target.cluster();
        this.retry = route.retry();
        this.closeAfter = closeAfter;
        this.bodyless = bodyless;
        this.multiplexed = down.channel() instanceof Http2StreamChannel;
        HttpHeaders headers = head.headers();
        this.grpc = LocalReply.isGrpc(headers);
        HopByHopHeaders.strip(headers, true);
        if (route.hostRewrite() != null) {
            headers.set(HttpHeaderNames.HOST, route.hostRewrite());
        }
        // Upstream connections are HTTP/1.1 keep-alive whatever the caller speaks.
        this.upstreamHead = new DefaultHttpRequest(HttpVersion.HTTP_1_1, head.method(), head.uri(), headers);
    }

    void start(long delayNanos) {
        if (!cluster.breaker().tryAcquireRequest()) {
            cluster.meters().rejected(RejectionReason.MAX_REQUESTS);
            reply(LocalReply.OVERLOADED_MAX_REQUESTS);
            return;
        }
        holdsRequestSlot = true;
        UpstreamCluster mirrorCluster = route.mirrorFor();
        if (mirrorCluster != null) {
            mirror = RequestMirror.start(mirrorCluster, upstreamHead, down.channel().eventLoop(),
                    route.connectTimeoutMillis());
        }
        route.budget().onRequest();
        requestTimer = down.executor().schedule(this::onRequestTimeout, route.requestTimeoutNanos(), TimeUnit.NANOSECONDS);
        if (delayNanos > 0) {
            delayTimer = down.executor().schedule(this::nextTry, delayNanos, TimeUnit.NANOSECONDS);
        } else {
            nextTry();
        }
    }

    // ---- the caller's side

    void onRequestContent(HttpContent content) {
        if (finished) {
            content.release();
            return;
        }
        bodyBytes += content.content().readableBytes();
        body.add(content);
        if (replayable && bodyBytes > context.limits().retryBufferBytes()) {
            replayable = false;
        }
        if (content instanceof LastHttpContent) {
            requestComplete = true;
        }
        if (mirror != null) {
            mirror.onContent(content);
        }
        Attempt current = attempt;
        if (current != null && current.stream != null) {
            writeBody(current.stream.channel());
        }
    }

    void onDownstreamReadComplete() {
        Attempt current = attempt;
        if (current != null && current.stream != null) {
            current.stream.channel().flush();
        }
        readDownstreamIfReady();
    }

    void onDownstreamWritabilityChanged(boolean writable) {
        Attempt current = attempt;
        if (writable && responseStarted && current != null && current.stream != null) {
            current.stream.channel().read();
        }
    }

    /** Whether the response head went to the caller already. */
    boolean responseStarted() {
        return responseStarted;
    }

    /** The caller went away: abandon everything. */
    void onDownstreamClosed() {
        if (finished) {
            return;
        }
        if (!requestComplete) {
            context.metrics().badRequest(BadRequestReason.RESET);
        }
        abandonAttempt();
        finish(0);
    }

    private void readDownstreamIfReady() {
        if (requestComplete || finished) {
            return;
        }
        Attempt current = attempt;
        if (current != null && current.stream != null && current.stream.channel().isWritable()) {
            frontend.readRequestBody();
        }
    }

    private void writeBody(Channel upstream) {
        int size = body.size();
        if (replayable) {
            for (; sent < size; sent++) {
                upstream.write(body.get(sent).retainedDuplicate(), upstream.voidPromise());
            }
            return;
        }
        // Past the retry buffer: what was sent is not needed any more, the rest is handed over.
        for (int i = 0; i < size; i++) {
            HttpContent piece = body.get(i);
            if (i < sent) {
                piece.release();
            } else {
                upstream.write(piece, upstream.voidPromise());
            }
        }
        body.clear();
        sent = 0;
    }

    // ---- tries

    private void nextTry() {
        if (finished) {
            return;
        }
        if (triedCount > 0) {
            redrawTarget();
        }
        UpstreamHost host = cluster.pick(triedCount == 0 ? null : this::alreadyTried);
        if (host == null) {
            reply(LocalReply.NO_HEALTHY_UPSTREAM);
            return;
        }
        if (tried == null) {
            tried = new UpstreamHost[Math.min(retry.attempts() + 1, 4)];
        }
        if (triedCount < tried.length) {
            tried[triedCount++] = host;
        }
        sent = 0;
        Attempt next = new Attempt(host);
        attempt = next;
        lastHost = host;
        host.requestStarted();
        long perTry = retry.perTryTimeoutNanos();
        if (perTry > 0) {
            next.timer = down.executor().schedule(next::onPerTryTimeout, perTry, TimeUnit.NANOSECONDS);
        }
        host.pool(down.channel().eventLoop()).acquire(next, route.connectTimeoutMillis());
    }

    /**
     * A retry draws the route's weighted target again, as the first try did, so it may go to
     * another version's cluster (where the failing version's hosts are not). Called between tries
     * only: the failed try's callbacks are done with {@code cluster}. The request's circuit-breaker
     * slot moves with it; a cluster that has no slot free leaves the retry where it was.
     */
    private void redrawTarget() {
        RouteTarget next = route.pickTarget();
        if (next == target) {
            return;
        }
        UpstreamCluster nextCluster = next.cluster();
        if (nextCluster.breaker() != cluster.breaker()) {
            if (!nextCluster.breaker().tryAcquireRequest()) {
                return;
            }
            cluster.breaker().releaseRequest();
        }
        target = next;
        cluster = nextCluster;
    }

    private boolean alreadyTried(UpstreamHost host) {
        for (int i = 0; i < triedCount; i++) {
            if (tried[i] == host) {
                return true;
            }
        }
        return false;
    }

    private boolean mayRetry() {
        if (finished || responseStarted || !replayable || retries >= retry.attempts()) {
            return false;
        }
        if (!route.budget().tryRetry()) {
            cluster.meters().rejected(RejectionReason.RETRY_BUDGET);
            return false;
        }
        return true;
    }

    private void retryLater() {
        retries++;
        target.meters().retried();
        delayTimer = down.executor().schedule(this::nextTry, retry.backoffNanos(retries), TimeUnit.NANOSECONDS);
    }

    /** A try failed before any response was forwarded. */
    private void tryFailed(Attempt failed, RetryEvent event, LocalReply reply) {
        abandon(failed);
        if (retry.retriesOn(event) && mayRetry()) {
            retryLater();
        } else {
            reply(reply);
        }
    }

    private void abandonAttempt() {
        Attempt current = attempt;
        if (current != null) {
            abandon(current);
        }
    }

    private void abandon(Attempt a) {
        if (a.abandoned) {
            return;
        }
        a.abandoned = true;
        if (a.timer != null) {
            a.timer.cancel(false);
        }
        if (a.stream != null) {
            UpstreamStream stream = a.stream;
            a.stream = null;
            stream.release(false);
        }
        a.hostDone(-1);
    }

    private void onRequestTimeout() {
        if (finished) {
            return;
        }
        if (!responseStarted) {
            abandonAttempt();
            reply(LocalReply.UPSTREAM_TIMEOUT);
        } else {
            abandonAttempt();
            finish(status);
            frontend.exchangeComplete(this, true);
        }
    }

    // ---- ends

    /** Answers the caller with a local reply and ends the exchange. */
    private void reply(LocalReply reply) {
        if (finished) {
            return;
        }
        boolean close = closeDownstream();
        FullHttpResponse response = grpc ? reply.toGrpcResponse() : reply.toResponse(close);
        finish(response.status().code());
        down.writeAndFlush(response, down.voidPromise());
        frontend.exchangeComplete(this, close);
    }

    private void finish(int finalStatus) {
        finished = true;
        if (mirror != null) {
            mirror.cancelIfIncomplete();
            mirror = null;
        }
        status = finalStatus;
        if (requestTimer != null) {
            requestTimer.cancel(false);
        }
        if (delayTimer != null) {
            delayTimer.cancel(false);
        }
        for (int i = 0; i < body.size(); i++) {
            body.get(i).release();
        }
        body.clear();
        if (holdsRequestSlot) {
            holdsRequestSlot = false;
            cluster.breaker().releaseRequest();
        }
        long duration = System.nanoTime() - startNanos;
        target.meters().record(finalStatus, duration);
        if (context.accessLog().enabled()) {
            context.accessLog().log(new AccessLogEntry(startMillis, upstreamHead.method().name(),
                    upstreamHead.headers().get(HttpHeaderNames.HOST), upstreamHead.uri(), finalStatus, duration,
                    route.name(), cluster.name(), lastHost == null ? null : lastHost.endpoint().authority(), retries,
                    bodyBytes, bytesSent, null));
        }
    }

    private boolean isMultiplexed() {
        return multiplexed;
    }

    /** Whether the caller's connection must close after the response: it asked, or its body was not read to the end. */
    private boolean closeDownstream() {
        return closeAfter || !(requestComplete || bodyless) || frontend.draining();
    }

    private static int grpcStatus(HttpHeaders headers) {
        String value = headers.get(GRPC_STATUS);
        if (value == null || value.isEmpty() || value.length() > 2) {
            return -1;
        }
        int code = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            code = code * 10 + (c - '0');
        }
        return code;
    }

    /** One try on one host. */
    private final class Attempt implements StreamCallback, UpstreamListener {
        private final UpstreamHost host;
        private final long startNanos = System.nanoTime();
        private UpstreamStream stream;
        private ScheduledFuture<?> timer;
        private boolean abandoned;
        private boolean hostDone;
        private boolean responseHead;
        private boolean informational;

        Attempt(UpstreamHost host) {
            this.host = host;
        }

        void hostDone(long latencyNanos) {
            if (!hostDone) {
                hostDone = true;
                host.requestFinished(latencyNanos);
            }
        }

        @Override
        public void onStream(UpstreamStream acquired) {
            if (abandoned || finished) {
                // Unused: an HTTP/1.1 connection can serve the next request.
                acquired.release(!acquired.multiplexed());
                return;
            }
            stream = acquired;
            acquired.attach(this);
            Channel upstream = acquired.channel();
            upstream.write(upstreamHead, upstream.voidPromise());
            writeBody(upstream);
            upstream.flush();
            upstream.read();
            readDownstreamIfReady();
        }

        @Override
        public void onStreamFailure(Throwable cause) {
            if (abandoned || finished) {
                return;
            }
            cluster.reportFailure(host);
            tryFailed(this, RetryEvent.CONNECT_FAILURE, LocalReply.UPSTREAM_CONNECT_FAILURE);
        }

        @Override
        public void onOverloaded(RejectionReason reason) {
            if (abandoned || finished) {
                return;
            }
            cluster.meters().rejected(reason);
            abandon(this);
            reply(reason == RejectionReason.MAX_CONNECTIONS
                    ? LocalReply.OVERLOADED_MAX_CONNECTIONS : LocalReply.OVERLOADED_MAX_PENDING);
        }

        void onPerTryTimeout() {
            if (abandoned || finished || responseHead) {
                return;
            }
            tryFailed(this, RetryEvent.PER_TRY_TIMEOUT, LocalReply.UPSTREAM_TIMEOUT);
        }

        @Override
        public void onUpstreamMessage(HttpObject message) {
            if (abandoned || finished) {
                ReferenceCountUtil.release(message);
                return;
            }
            if (message.decoderResult().isFailure()) {
                ReferenceCountUtil.release(message);
                upstreamBroken(LocalReply.BAD_UPSTREAM_RESPONSE);
                return;
            }
            if (message instanceof HttpResponse response) {
                onResponseHead(response);
            } else if (message instanceof HttpContent content) {
                boolean last = content instanceof LastHttpContent;
                if (informational) {
                    // The end of a 1xx response: the real one follows.
                    informational = !last;
                    down.write(content, down.voidPromise());
                    return;
                }
                bytesSent += content.content().readableBytes();
                down.write(content, down.voidPromise());
                if (last) {
                    responseComplete();
                }
            } else {
                ReferenceCountUtil.release(message);
            }
        }

        private void onResponseHead(HttpResponse response) {
            int code = response.status().code();
            if (code >= 100 && code < 200 && code != 101) {
                informational = !(response instanceof LastHttpContent);
                HopByHopHeaders.strip(response.headers(), false);
                down.writeAndFlush(response, down.voidPromise());
                return;
            }
            responseHead = true;
            if (timer != null) {
                timer.cancel(false);
            }
            if (code >= 500) {
                cluster.reportFailure(host);
            } else {
                cluster.reportSuccess(host);
            }
            int grpcStatus = grpc ? grpcStatus(response.headers()) : -1;
            if (retry.retriesResponse(code, grpcStatus) && mayRetry()) {
                ReferenceCountUtil.release(response);
                abandon(this);
                retryLater();
                return;
            }
            responseStarted = true;
            status = code;
            hostDone(System.nanoTime() - startNanos);
            HttpHeaders headers = response.headers();
            HopByHopHeaders.strip(headers, false);
            boolean close = closeDownstream();
            if (!isMultiplexed()) {
                if (!(response instanceof LastHttpContent) && !HttpUtil.isContentLengthSet(response)
                        && !HttpUtil.isTransferEncodingChunked(response) && code != 204 && code != 304) {
                    // An upstream body delimited by its connection's close: chunk it for a keep-alive caller.
                    HttpUtil.setTransferEncodingChunked(response, true);
                }
                if (close) {
                    headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                }
            }
            if (response instanceof LastHttpContent whole) {
                bytesSent += whole.content().readableBytes();
            }
            down.write(response, down.voidPromise());
            if (response instanceof LastHttpContent) {
                responseComplete();
            }
        }

        private void responseComplete() {
            boolean reusable = requestComplete && sent == body.size();
            UpstreamStream done = stream;
            stream = null;
            abandoned = true;
            if (timer != null) {
                timer.cancel(false);
            }
            hostDone(-1);
            if (done != null) {
                done.release(reusable || done.multiplexed() && requestComplete);
            }
            boolean close = closeDownstream();
            finish(status);
            down.flush();
            frontend.exchangeComplete(ProxyExchange.this, close);
        }

        private void upstreamBroken(LocalReply reply) {
            if (!responseHead) {
                cluster.reportFailure(host);
                tryFailed(this, RetryEvent.RESET, reply);
            } else {
                // Part of the response is with the caller already: all that is left is to cut it off.
                abandon(this);
                finish(status);
                frontend.exchangeComplete(ProxyExchange.this, true);
            }
        }

        @Override
        public void onUpstreamReadComplete() {
            if (abandoned || finished) {
                return;
            }
            if (responseStarted) {
                down.flush();
            }
            UpstreamStream current = stream;
            if (current != null && down.channel().isWritable()) {
                current.channel().read();
            }
        }

        @Override
        public void onUpstreamWritabilityChanged(boolean writable) {
            if (writable && !abandoned) {
                readDownstreamIfReady();
            }
        }

        @Override
        public void onUpstreamClosed() {
            if (abandoned || finished) {
                return;
            }
            stream = null;
            upstreamBroken(LocalReply.UPSTREAM_RESET);
        }

        @Override
        public void onUpstreamError(Throwable cause) {
            onUpstreamClosed();
        }
    }
}
