package dev.trellis.proxy.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("UpstreamResponseHandler, from bytes")
class UpstreamResponseHandlerTest {

    /** Records what the handler hands on, releasing buffers. */
    static final class Recorder implements UpstreamListener {
        final List<String> events = new ArrayList<>();

        @Override
        public void onUpstreamMessage(HttpObject message) {
            if (message instanceof HttpResponse r) {
                events.add("head " + r.status().code());
            }
            if (message instanceof HttpContent c) {
                events.add((c instanceof LastHttpContent ? "last " : "body ") + c.content().toString(StandardCharsets.US_ASCII));
            }
            ReferenceCountUtil.release(message);
        }

        @Override
        public void onUpstreamReadComplete() {
            events.add("read-complete");
        }

        @Override
        public void onUpstreamWritabilityChanged(boolean writable) {
            events.add("writable " + writable);
        }

        @Override
        public void onUpstreamClosed() {
            events.add("closed");
        }

        @Override
        public void onUpstreamError(Throwable cause) {
            events.add("error " + cause.getMessage());
        }
    }

    @Test
    @DisplayName("GIVEN a listener WHEN a chunked response arrives THEN head, pieces, end and read-complete reach it in order")
    void relaysInOrder() {
        UpstreamResponseHandler handler = new UpstreamResponseHandler();
        EmbeddedChannel channel = new EmbeddedChannel(new HttpClientCodec(), handler);
        Recorder recorder = new Recorder();
        handler.listener(recorder);
        channel.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
        ReferenceCountUtil.release(channel.readOutbound());

        channel.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", StandardCharsets.US_ASCII));

        assertThat(recorder.events).containsExactly("head 200", "body abc", "body de", "last ", "read-complete");
        channel.finishAndReleaseAll();
    }

    @Test
    @DisplayName("GIVEN an idle connection (no listener) WHEN the upstream sends anything THEN it is dropped and the connection closed")
    void unsolicitedDataCloses() {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpClientCodec(), new UpstreamResponseHandler());

        channel.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", StandardCharsets.US_ASCII));

        assertThat(channel.isOpen()).isFalse();
        assertThat((Object) channel.readInbound()).isNull();
        channel.finishAndReleaseAll();
    }

    @Test
    @DisplayName("GIVEN a listener WHEN the connection closes THEN it is told once")
    void closeReported() {
        UpstreamResponseHandler handler = new UpstreamResponseHandler();
        EmbeddedChannel channel = new EmbeddedChannel(handler);
        Recorder recorder = new Recorder();
        handler.listener(recorder);

        channel.close();

        assertThat(recorder.events).containsExactly("closed");
    }
}
