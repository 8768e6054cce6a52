package dev.trellis.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("StrictHttpServerCodec, byte for byte")
class StrictHttpServerCodecTest {

    private final EmbeddedChannel channel = new EmbeddedChannel(new StrictHttpServerCodec(HttpLimits.DEFAULT.withMaxHeaderSize(256)));

    @AfterEach
    void finish() {
        channel.finishAndReleaseAll();
    }

    private void in(String bytes) {
        channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
    }

    private String out() {
        StringBuilder text = new StringBuilder();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            text.append(buf.toString(StandardCharsets.ISO_8859_1));
            buf.release();
        }
        return text.toString();
    }

    @Test
    @DisplayName("GIVEN a plain request WHEN decoded THEN head and an empty last content come out, valid")
    void decodesPlainRequest() {
        in("GET /a?b=c HTTP/1.1\r\nHost: orders\r\n\r\n");

        HttpRequest request = channel.readInbound();
        assertThat(request.decoderResult().isSuccess()).isTrue();
        assertThat(request.uri()).isEqualTo("/a?b=c");
        Object last = channel.readInbound();
        assertThat(last).isInstanceOf(LastHttpContent.class);
        ReferenceCountUtil.release(last);
    }

    @Test
    @DisplayName("GIVEN Content-Length and Transfer-Encoding WHEN decoded THEN the request fails with RequestSmugglingException, not a guess")
    void refusesBothFramings() {
        in("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");

        HttpRequest request = channel.readInbound();
        assertThat(request.decoderResult().isFailure()).isTrue();
        assertThat(request.decoderResult().cause()).isInstanceOf(RequestSmugglingException.class)
                .hasMessage("Content-Length: 3 with Transfer-Encoding: chunked (expected: one of them)");
        ReferenceCountUtil.release(request);
    }

    @Test
    @DisplayName("GIVEN headers over the limit WHEN decoded THEN the request fails with TooLongHttpHeaderException")
    void headerLimit() {
        in("GET / HTTP/1.1\r\nHost: x\r\nx-big: " + "a".repeat(300) + "\r\n\r\n");

        HttpRequest request = channel.readInbound();
        assertThat(request.decoderResult().cause()).isInstanceOf(TooLongHttpHeaderException.class);
        ReferenceCountUtil.release(request);
    }

    @Test
    @DisplayName("GIVEN a response WHEN encoded THEN the bytes are exactly the status line, headers and body")
    void encodesResponse() {
        in("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        ReferenceCountUtil.release(channel.readInbound());
        ReferenceCountUtil.release(channel.readInbound());
        DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.copiedBuffer("hi", StandardCharsets.US_ASCII));
        response.headers().set("content-length", 2);

        channel.writeOutbound(response);

        assertThat(out()).isEqualTo("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi");
    }

    @Test
    @DisplayName("GIVEN a HEAD request WHEN a chunked response is encoded THEN only its head is written, no terminating chunk")
    void headResponseHasNoBody() {
        in("HEAD / HTTP/1.1\r\nHost: x\r\n\r\n");
        ReferenceCountUtil.release(channel.readInbound());
        ReferenceCountUtil.release(channel.readInbound());
        DefaultHttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpUtil.setTransferEncodingChunked(response, true);

        channel.writeOutbound(response, LastHttpContent.EMPTY_LAST_CONTENT);

        assertThat(out()).isEqualTo("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
    }
}
