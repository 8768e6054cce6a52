package dev.trellis.proxy.forward;

import dev.trellis.proxy.config.RoutingTable;
import dev.trellis.proxy.http.LocalReply;
import dev.trellis.proxy.idle.DownstreamIdleHandler;
import dev.trellis.proxy.http.RequestSmugglingException;
import dev.trellis.proxy.metrics.BadRequestReason;
import dev.trellis.proxy.routing.CompiledRoute;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * The last handler of a listener's connection (HTTP/1.1) or stream (HTTP/2): refuses bad
 * requests, asks the subclass for a route, applies fault injection, and hands the request to a
 * {@link ProxyExchange}. One exchange at a time per channel; HTTP/1.1 requests pipelined behind
 * it wait, in order. Reads are explicit (AUTO_READ off): the next request is read when the
 * previous response is done, body pieces when the upstream can take them.
 */
public abstract class ForwardingFrontendHandler extends ChannelInboundHandlerAdapter {

    /**
     * Pipelined messages held behind a running exchange before the caller is cut off. Reads stop
     * while an exchange runs, so the queue never holds more than one read's worth; this only
     * bounds a pathological caller.
     */
    private static final int MAX_QUEUED = 8192;

    private final ForwardingContext context;
    private ChannelHandlerContext ctx;
    private boolean multiplexed;
    private ProxyExchange exchange;
    private ArrayDeque<HttpObject> queued;
    private boolean discardingBody;
    private boolean closing;
    private boolean draining;
    private boolean upgradeSettled;
    private DownstreamIdleHandler idle;

    protected ForwardingFrontendHandler(ForwardingContext context) {
        this.context = context;
    }

    /**
     * The route of a request, or null when none matches (the caller gets 404).
     *
     * @param target the request's target, parsed; its authority from the absolute URI or Host
     */
    protected abstract CompiledRoute route(RoutingTable table, HttpRequest request, RequestTarget target);

    /**
     * Whether the request may go on: null to let it, or the reply that refuses it (inbound
     * authorization). Also the place to set headers the proxy vouches for.
     */
    protected LocalReply admit(RoutingTable table, HttpRequest request, RequestTarget target) {
        return null;
    }

    /** Called when {@link #admit} refused a request, to count and log the refusal. */
    protected void refused(RoutingTable table, HttpRequest request, LocalReply reply) {
    }

    /** What this listener's handlers share. */
    protected ForwardingContext context() {
        return context;
    }

    /** The caller's connection: the channel itself for HTTP/1.1, the stream's parent for HTTP/2. */
    protected io.netty.channel.Channel connection() {
        return multiplexed ? ctx.channel().parent() : ctx.channel();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext handlerContext) {
        this.ctx = handlerContext;
        this.multiplexed = handlerContext.channel() instanceof Http2StreamChannel;
        io.netty.channel.Channel connection = connection();
        this.idle = connection == null ? null : DownstreamIdleHandler.of(connection);
    }

    @Override
    public void channelActive(ChannelHandlerContext handlerContext) {
        handlerContext.read();
        handlerContext.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext handlerContext) {
        ProxyExchange current = exchange;
        exchange = null;
        if (current != null) {
            exchangeEnded();
            current.onDownstreamClosed();
        }
        releaseQueued();
        handlerContext.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext handlerContext, Object msg) {
        if (closing || !(msg instanceof HttpObject http)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (exchange != null) {
            if (msg instanceof HttpRequest || (queued != null && !queued.isEmpty())) {
                // Pipelined: the next request waits for this response.
                enqueue(http);
            } else if (http.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                refuse(http.decoderResult(), true);
            } else {
                exchange.onRequestContent((HttpContent) msg);
            }
            return;
        }
        dispatch(http);
    }

    private void dispatch(HttpObject msg) {
        if (msg instanceof HttpRequest request) {
            onRequest(request);
        } else if (msg instanceof HttpContent content) {
            if (content.decoderResult().isFailure()) {
                ReferenceCountUtil.release(content);
                refuse(content.decoderResult(), true);
                return;
            }
            boolean last = content instanceof LastHttpContent;
            ReferenceCountUtil.release(content);
            if (last && discardingBody) {
                discardingBody = false;
            }
        }
    }

    private void onRequest(HttpRequest request) {
        if (idle != null) {
            idle.requestReceived();
        }
        if (request.decoderResult().isFailure()) {
            ReferenceCountUtil.release(request);
            refuse(request.decoderResult(), false);
            return;
        }
        HttpRequest head = request;
        LastHttpContent whole = null;
        if (request instanceof FullHttpRequest full) {
            // An HTTP/2 request that ended with its headers: split, so that every request is head + body.
            head = new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers());
            whole = new DefaultLastHttpContent(full.content(), full.trailingHeaders());
        }
        if (!multiplexed && !upgradeSettled) {
            // h2c upgrade is offered on a connection's first request; past it, the upgrade handler
            // (an aggregator in waiting) leaves the request path.
            upgradeSettled = true;
            io.netty.channel.ChannelHandler upgrade = ctx.pipeline().get(io.netty.handler.codec.http.HttpServerUpgradeHandler.class);
            if (upgrade != null) {
                ctx.pipeline().remove(upgrade);
            }
        }
        boolean closeAfter = !multiplexed && (draining || !HttpUtil.isKeepAlive(head));
        RoutingTable table = context.tables().get();
        if (table == null) {
            localReply(LocalReply.NO_CONFIGURATION, head, whole, closeAfter);
            return;
        }
        if (HttpMethod.CONNECT.equals(head.method())) {
            localReply(LocalReply.NOT_SUPPORTED, head, whole, closeAfter);
            return;
        }
        RequestTarget target = RequestTarget.parse(head);
        if (target == null) {
            ReferenceCountUtil.release(whole);
            context.metrics().badRequest(BadRequestReason.MALFORMED);
            reply(LocalReply.BAD_REQUEST.toResponse(true), true);
            return;
        }
        if (target.absolute()) {
            head.setUri(target.originForm());
            head.headers().set(HttpHeaderNames.HOST, target.authority());
        }
        LocalReply refusal = admit(table, head, target);
        if (refusal != null) {
            refused(table, head, refusal);
            localReply(refusal, head, whole, closeAfter);
            return;
        }
        CompiledRoute route = route(table, head, target);
        if (route == null) {
            localReply(LocalReply.NO_ROUTE, head, whole, closeAfter);
            return;
        }
        int abort = route.fault().abortStatus();
        if (abort != 0) {
            // Counted like a response of the route, on the target the request would have gone to; a gRPC
            // abort is a 200 whose grpc-status says it failed, as the exchange counts gRPC local replies.
            if (LocalReply.isGrpc(head.headers())) {
                route.pickTarget().meters().record(200, 0);
                localReply(LocalReply.FAULT_ABORT, head, whole, closeAfter);
            } else {
                route.pickTarget().meters().record(abort, 0);
                discardBody(whole);
                reply(LocalReply.FAULT_ABORT.toResponse(abort, closeAfter), closeAfter);
            }
            return;
        }
        boolean bodyless = whole != null || !multiplexed && !HttpUtil.isTransferEncodingChunked(head)
                && HttpUtil.getContentLength(head, 0L) == 0L;
        ProxyExchange started = new ProxyExchange(this, ctx, context, route, head, closeAfter, bodyless);
        exchange = started;
        if (idle != null) {
            idle.requestStarted();
        }
        started.start(route.fault().delayNanos());
        if (whole != null) {
            started.onRequestContent(whole);
        }
    }

    private void exchangeEnded() {
        if (idle != null) {
            idle.requestEnded();
        }
    }

    private void localReply(LocalReply reply, HttpRequest head, LastHttpContent whole, boolean closeAfter) {
        if (LocalReply.isGrpc(head.headers())) {
            discardBody(whole);
            reply(reply.toGrpcResponse(), closeAfter);
            return;
        }
        discardBody(whole);
        reply(reply.toResponse(closeAfter), closeAfter);
    }

    /** The request's body, if any is still to come, is read and dropped. */
    private void discardBody(LastHttpContent whole) {
        if (whole != null) {
            whole.release();
        } else {
            discardingBody = true;
        }
    }

    private void refuse(DecoderResult result, boolean inBody) {
        Throwable cause = result.cause();
        LocalReply reply;
        BadRequestReason reason;
        if (cause instanceof TooLongHttpHeaderException) {
            reply = LocalReply.HEADERS_TOO_LARGE;
            reason = BadRequestReason.HEADER_TOO_LARGE;
        } else if (cause instanceof TooLongHttpLineException) {
            reply = LocalReply.URI_TOO_LONG;
            reason = BadRequestReason.HEADER_TOO_LARGE;
        } else if (cause instanceof RequestSmugglingException) {
            reply = LocalReply.SMUGGLING;
            reason = BadRequestReason.SMUGGLING;
        } else {
            reply = LocalReply.BAD_REQUEST;
            reason = inBody ? BadRequestReason.SMUGGLING : BadRequestReason.MALFORMED;
        }
        context.metrics().badRequest(reason);
        ProxyExchange current = exchange;
        exchange = null;
        if (current != null) {
            exchangeEnded();
            // A broken body in the middle of a request: the request cannot go on either way.
            boolean answered = current.responseStarted();
            current.onDownstreamClosed();
            if (answered) {
                closing = true;
                ctx.close();
                return;
            }
        }
        reply(reply.toResponse(true), true);
    }

    private void reply(FullHttpResponse response, boolean close) {
        if (close) {
            closing = true;
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(response, ctx.voidPromise());
            readNext();
        }
    }

    private void enqueue(HttpObject msg) {
        if (queued == null) {
            queued = new ArrayDeque<>(4);
        }
        if (queued.size() >= MAX_QUEUED) {
            ReferenceCountUtil.release(msg);
            closing = true;
            ctx.close();
            return;
        }
        queued.add(msg);
    }

    private void releaseQueued() {
        if (queued != null) {
            HttpObject msg;
            while ((msg = queued.poll()) != null) {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    /**
     * The exchange can take more of its request body. Pipelined messages already read come first:
     * the socket is read only when none wait, so a pipelining caller cannot grow the queue.
     */
    void readRequestBody() {
        if (queued == null || queued.isEmpty()) {
            ctx.read();
        }
    }

    /** Whether the proxy drains: responses then carry Connection: close and end their connection. */
    boolean draining() {
        return draining;
    }

    /** Called by the exchange when its response is done (or the request was given up). */
    void exchangeComplete(ProxyExchange done, boolean closeConnection) {
        if (exchange != done) {
            return;
        }
        exchange = null;
        exchangeEnded();
        if (multiplexed) {
            if (closeConnection && ctx.channel().isActive()) {
                ctx.flush();
                ctx.close();
            }
            return;
        }
        if (closeConnection || draining) {
            closing = true;
            releaseQueued();
            ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        readNext();
    }

    /** Serves pipelined requests first, then asks the caller for more. */
    private void readNext() {
        if (closing) {
            return;
        }
        if (queued != null) {
            HttpObject msg;
            while (exchange == null && !closing && (msg = queued.poll()) != null) {
                dispatch(msg);
            }
            ProxyExchange current = exchange;
            while (current != null && exchange == current && !queued.isEmpty() && !(queued.peek() instanceof HttpRequest)) {
                current.onRequestContent((HttpContent) queued.poll());
            }
            if (exchange != null) {
                // The queue may have held only part of the body: the exchange asks for the rest when it can take it.
                exchange.onDownstreamReadComplete();
                return;
            }
            if (closing) {
                return;
            }
        }
        ctx.read();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext handlerContext) {
        ProxyExchange current = exchange;
        if (current != null) {
            current.onDownstreamReadComplete();
        } else if (!closing) {
            handlerContext.read();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext handlerContext) {
        ProxyExchange current = exchange;
        if (current != null) {
            current.onDownstreamWritabilityChanged(handlerContext.channel().isWritable());
        }
        handlerContext.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext handlerContext, Object evt) {
        if (evt == DrainEvent.INSTANCE) {
            // Idle keep-alive connections close now; a busy one after its response (with Connection: close).
            draining = true;
            if (exchange == null && !closing) {
                closing = true;
                handlerContext.close();
            }
            return;
        }
        if (evt instanceof io.netty.handler.codec.http.HttpServerUpgradeHandler.UpgradeEvent) {
            // Upgraded to h2c: each stream has its own frontend from now on.
            handlerContext.pipeline().remove(this);
        }
        handlerContext.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext handlerContext, Throwable cause) {
        if (multiplexed && cause instanceof Http2Exception.StreamException) {
            // A stream error of the caller (RFC 9113, 5.4.2): Http2MultiplexHandler resets the stream with its
            // error code right after this; closing here first would reset it with CANCEL instead.
            return;
        }
        // I/O errors (connection reset by peer) end the connection; the exchange learns of it in channelInactive.
        handlerContext.close();
    }
}
