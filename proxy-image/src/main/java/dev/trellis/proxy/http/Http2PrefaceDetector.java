package dev.trellis.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;

/**
 * The first handler of a listener's connection: looks at the first bytes and installs HTTP/2
 * (the client sent the connection preface: prior knowledge) or HTTP/1.1 (with h2c upgrade),
 * then steps aside, handing the bytes it saw to the new pipeline.
 */
public final class Http2PrefaceDetector extends ByteToMessageDecoder {

    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final HttpListenerInitializer listener;

    Http2PrefaceDetector(HttpListenerInitializer listener) {
        this.listener = listener;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.read();
        super.channelActive(ctx);
    }

    /** Before the protocol is known, any error (a failed TLS handshake, a reset) ends the connection. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int length = Math.min(in.readableBytes(), PREFACE.readableBytes());
        if (!ByteBufUtil.equals(PREFACE, PREFACE.readerIndex(), in, in.readerIndex(), length)) {
            listener.installHttp1(ctx.pipeline());
            ctx.pipeline().remove(this);
        } else if (length == PREFACE.readableBytes()) {
            listener.installHttp2(ctx.pipeline());
            ctx.pipeline().remove(this);
        } else {
            // Too few bytes to tell yet.
            ctx.read();
        }
    }
}
