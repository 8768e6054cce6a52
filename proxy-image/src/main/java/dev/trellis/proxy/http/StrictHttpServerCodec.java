package dev.trellis.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Netty's HTTP/1.1 server codec, stricter: a request carrying both Content-Length and
 * Transfer-Encoding is a smuggling attempt (RFC 9112 6.1 lets a server reject it, and a proxy
 * must not guess), so it decodes as a failed request instead of dropping Content-Length.
 * Responses to HEAD keep their headers but never get a body, as with {@code HttpServerCodec}.
 */
public final class StrictHttpServerCodec
        extends CombinedChannelDuplexHandler<HttpRequestDecoder, HttpResponseEncoder>
        implements HttpServerUpgradeHandler.SourceCodec {

    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(4);

    public StrictHttpServerCodec(HttpLimits limits) {
        HttpDecoderConfig config = new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.maxInitialLineLength())
                .setMaxHeaderSize(limits.maxHeaderSize())
                .setMaxChunkSize(limits.maxChunkSize())
                .setAllowDuplicateContentLengths(false)
                .setStrictLineParsing(true);
        init(new Decoder(config), new Encoder());
    }

    @Override
    public void upgradeFrom(ChannelHandlerContext ctx) {
        ctx.pipeline().remove(this);
    }

    private final class Decoder extends HttpRequestDecoder {
        Decoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, io.netty.buffer.ByteBuf in, List<Object> out) throws Exception {
            int before = out.size();
            super.decode(ctx, in, out);
            for (int i = before; i < out.size(); i++) {
                if (out.get(i) instanceof HttpRequest request && request.decoderResult().isSuccess()) {
                    methods.add(request.method());
                }
            }
        }

        @Override
        protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
            throw new RequestSmugglingException("Content-Length: " + message.headers().get(HttpHeaderNames.CONTENT_LENGTH)
                    + " with Transfer-Encoding: " + message.headers().get(HttpHeaderNames.TRANSFER_ENCODING)
                    + " (expected: one of them)");
        }
    }

    private final class Encoder extends HttpResponseEncoder {
        private HttpMethod method;

        @Override
        protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
            if (msg instanceof HttpResponse response && response.status().codeClass() != io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL) {
                method = methods.poll();
            }
            super.encode(ctx, msg, out);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
        }
    }
}
