package dev.trellis.controller.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Writing responses: one place for keep-alive, content types and JSON. */
final class HttpResponses {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private HttpResponses() {
    }

    static FullHttpResponse of(HttpResponseStatus status, ByteBuf body, CharSequence contentType) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        if (contentType != null) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        return response;
    }

    static FullHttpResponse text(HttpResponseStatus status, String text) {
        return of(status, Unpooled.copiedBuffer(text + "\n", StandardCharsets.UTF_8), "text/plain; charset=utf-8");
    }

    static FullHttpResponse json(HttpResponseStatus status, Object value) {
        try {
            return of(status, Unpooled.wrappedBuffer(JSON.writeValueAsBytes(value)), HttpHeaderValues.APPLICATION_JSON);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a response could not be written as JSON", e);
        }
    }

    static FullHttpResponse empty(HttpResponseStatus status) {
        return of(status, Unpooled.EMPTY_BUFFER, null);
    }

    /** Writes the response, keeping the connection open if the request allows it. */
    static void send(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse response) {
        if (!ctx.channel().isActive()) {
            response.release();
            return;
        }
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
