package dev.trellis.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;

/**
 * Netty's HTTP/2 server frame codec (all of Netty's own checks on: headers, required
 * pseudo-headers, content-length), with two of its answers corrected where RFC 9113 asks for
 * another error than the one Netty 4.2 gives; everything else is Netty's.
 * <ul>
 *   <li>A HEADERS frame on a stream id that is neither new nor open (a closed stream, or an id
 *       lower than one already used) is a connection error of type PROTOCOL_ERROR (5.1.1; 5.1
 *       "closed" allows it), not a reset of a stream that no longer exists: the caller has lost
 *       track of its streams. nginx and Go's HTTP/2 server answer the same way.</li>
 *   <li>A second HEADERS with END_STREAM on a half-closed (remote) stream resets it with
 *       STREAM_CLOSED (5.1, "half-closed (remote)": MUST), where Netty's count of header
 *       blocks runs first and says PROTOCOL_ERROR.</li>
 * </ul>
 * Netty raises both as stream errors with no distinguishing type, only their messages (see
 * {@code DefaultHttp2ConnectionDecoder}); the messages are matched here, and
 * {@code Http2ConformanceTest} fails if a Netty upgrade changes them.
 */
public final class StrictHttp2FrameCodec extends Http2FrameCodec {

    private static final String HEADERS_ON_UNKNOWN_STREAM = "Received HEADERS frame for an unknown stream";
    private static final String TOO_MANY_HEADERS = "received too many headers EOS: true";

    private StrictHttp2FrameCodec(Http2ConnectionEncoder encoder, Http2ConnectionDecoder decoder,
                                  Http2Settings settings, boolean decoupleCloseAndGoAway, boolean flushPreface) {
        super(encoder, decoder, settings, decoupleCloseAndGoAway, flushPreface);
    }

    /** A server codec with {@code settings}, validating headers, required pseudo-headers and content-length. */
    public static StrictHttp2FrameCodec forServer(Http2Settings settings) {
        Builder builder = new Builder();
        // Required pseudo-headers are off by default in Netty: without them, a request missing :method,
        // :scheme or :path would reach the HTTP/1 conversion instead of a PROTOCOL_ERROR reset (8.3.1).
        builder.initialSettings(settings).validateHeaders(true).validateRequiredPseudoHeaders(true);
        return builder.build();
    }

    @Override
    public void onError(ChannelHandlerContext ctx, boolean outbound, Throwable cause) {
        Http2Exception error = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
        if (!outbound && error instanceof Http2Exception.StreamException streamError && error.getMessage() != null) {
            int streamId = streamError.streamId();
            Http2Stream stream = connection().stream(streamId);
            if (stream == null && error.getMessage().startsWith(HEADERS_ON_UNKNOWN_STREAM)) {
                super.onError(ctx, false, Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR, cause,
                        "HEADERS stream id: %d (expected: above %d, the last opened, or an open stream)",
                        streamId, connection().remote().lastStreamCreated()));
                return;
            }
            if (stream != null && stream.state() == Http2Stream.State.HALF_CLOSED_REMOTE
                    && error.getMessage().contains(TOO_MANY_HEADERS)) {
                super.onError(ctx, false, Http2Exception.streamError(streamId, Http2Error.STREAM_CLOSED, cause,
                        "HEADERS on stream %d: half-closed (remote) (expected: no frames but WINDOW_UPDATE,"
                                + " PRIORITY and RST_STREAM)", streamId));
                return;
            }
        }
        super.onError(ctx, outbound, cause);
    }

    private static final class Builder extends Http2FrameCodecBuilder {
        Builder() {
            server(true);
        }

        @Override
        protected StrictHttp2FrameCodec build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                                              Http2Settings initialSettings) {
            StrictHttp2FrameCodec codec = new StrictHttp2FrameCodec(encoder, decoder, initialSettings,
                    decoupleCloseAndGoAway(), flushPreface());
            codec.gracefulShutdownTimeoutMillis(gracefulShutdownTimeoutMillis());
            return codec;
        }

        @Override
        public StrictHttp2FrameCodec build() {
            return (StrictHttp2FrameCodec) super.build();
        }
    }
}
