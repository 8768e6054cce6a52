package dev.trellis.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The first handler of a listener's connection: looks at the first bytes and installs HTTP/2
 * (the client sent the connection preface: prior knowledge) or HTTP/1.1 (with h2c upgrade),
 * then steps aside, handing the bytes it saw to the new pipeline. A connection that opens with
 * neither is closed.
 */
public final class Http2PrefaceDetector extends ByteToMessageDecoder {

    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();
    /** A request line ends in this and one digit: HTTP/1.0 or HTTP/1.1 (the name is case-sensitive). */
    private static final byte[] HTTP1_VERSION_PREFIX = " HTTP/1.".getBytes(StandardCharsets.US_ASCII);

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
            decideHttp1(ctx, in);
        } else if (length == PREFACE.readableBytes()) {
            listener.installHttp2(ctx.pipeline());
            ctx.pipeline().remove(this);
        } else {
            // Too few bytes to tell yet.
            ctx.read();
        }
    }

    /**
     * Not the HTTP/2 preface: HTTP/1.1 if the first line is a request line of HTTP/1.x, else the
     * peer speaks neither protocol (an invalid HTTP/2 preface, RFC 9113 3.4, or noise) and the
     * connection closes without an answer it could not read anyway. A first line longer than the
     * limit goes to HTTP/1.1 too, which answers it with 414.
     */
    private void decideHttp1(ChannelHandlerContext ctx, ByteBuf in) {
        int scan = Math.min(in.readableBytes(), listener.maxInitialLineLength() + 2);
        int lineFeed = in.indexOf(in.readerIndex(), in.readerIndex() + scan, (byte) '\n');
        if (lineFeed < 0 && scan < listener.maxInitialLineLength() + 2) {
            ctx.read();
            return;
        }
        if (lineFeed >= 0 && !isHttp1RequestLine(in, lineFeed)) {
            in.skipBytes(in.readableBytes());
            listener.refusedNotHttp();
            ctx.close();
            return;
        }
        listener.installHttp1(ctx.pipeline());
        ctx.pipeline().remove(this);
    }

    /** An empty line (allowed before a request, RFC 9112 2.2) or one ending in " HTTP/1." and a digit. */
    private static boolean isHttp1RequestLine(ByteBuf in, int lineFeed) {
        int end = lineFeed > in.readerIndex() && in.getByte(lineFeed - 1) == '\r' ? lineFeed - 1 : lineFeed;
        if (end == in.readerIndex()) {
            return true;
        }
        int start = end - HTTP1_VERSION_PREFIX.length - 1;
        if (start < in.readerIndex() || !Character.isDigit(in.getByte(end - 1))) {
            return false;
        }
        for (int i = 0; i < HTTP1_VERSION_PREFIX.length; i++) {
            if (in.getByte(start + i) != HTTP1_VERSION_PREFIX[i]) {
                return false;
            }
        }
        return true;
    }
}
