package dev.trellis.proxy.upstream;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of an upstream connection or stream: hands what arrives to the request that
 * currently uses it. Anything arriving while no request does (an idle pooled connection) is
 * released and the connection closed: an upstream that talks unasked is not to be trusted.
 */
public final class UpstreamResponseHandler extends ChannelInboundHandlerAdapter {

    private UpstreamListener listener;

    void listener(UpstreamListener newListener) {
        this.listener = newListener;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        UpstreamListener current = listener;
        if (current != null && msg instanceof HttpObject http) {
            current.onUpstreamMessage(http);
        } else {
            ReferenceCountUtil.release(msg);
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        UpstreamListener current = listener;
        if (current != null) {
            current.onUpstreamReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        UpstreamListener current = listener;
        if (current != null) {
            current.onUpstreamWritabilityChanged(ctx.channel().isWritable());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        UpstreamListener current = listener;
        listener = null;
        if (current != null) {
            current.onUpstreamClosed();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        UpstreamListener current = listener;
        listener = null;
        if (current != null) {
            current.onUpstreamError(cause);
        }
        ctx.close();
    }
}
