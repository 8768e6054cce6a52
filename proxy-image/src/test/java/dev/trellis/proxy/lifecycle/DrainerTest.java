package dev.trellis.proxy.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A real server on loopback, drained while a slow request is in flight. */
@Timeout(10)
class DrainerTest {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final AtomicLong active = new AtomicLong();
    private final CountDownLatch requestReceived = new CountDownLatch(1);
    private final List<String> events = new ArrayList<>();
    private Channel server;

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    @Test
    void givenASlowRequestInFlight_whenDraining_thenItCompletesWhileNewConnectionsAreRefused() throws Exception {
        startServer(Duration.ofMillis(500));
        Drainer drainer = drainer(Duration.ofSeconds(5));
        try (Socket inFlight = connect()) {
            send(inFlight, "GET /slow HTTP/1.1\r\nHost: test\r\n\r\n");
            assertThat(requestReceived.await(5, TimeUnit.SECONDS)).isTrue();

            var result = drainer.drain();

            assertThat(drainer.isDraining()).isTrue();
            awaitRefused();
            assertThat(readAll(inFlight)).startsWith("HTTP/1.1 200 OK\r\n").endsWith("slow answer");
            DrainResult done = result.get(5, TimeUnit.SECONDS);
            assertThat(done.clean()).isTrue();
            assertThat(done.connectionsLeft()).isZero();
            assertThat(done.took()).isGreaterThanOrEqualTo(Duration.ofMillis(300));
            assertThat(group.isTerminated()).isTrue();
            assertThat(events).containsExactly("drain started", "closed: access log", "closed: metrics");
        }
    }

    @Test
    void givenARequestThatNeverFinishes_whenTheDrainTimesOut_thenItIsCutAndCounted() throws Exception {
        startServer(Duration.ofHours(1));
        Drainer drainer = drainer(Duration.ofMillis(200));
        try (Socket hanging = connect()) {
            send(hanging, "GET /forever HTTP/1.1\r\nHost: test\r\n\r\n");
            assertThat(requestReceived.await(5, TimeUnit.SECONDS)).isTrue();

            DrainResult done = drainer.drain().get(5, TimeUnit.SECONDS);

            assertThat(done.clean()).isFalse();
            assertThat(done.connectionsLeft()).isEqualTo(1);
            assertThat(done.took()).isBetween(Duration.ofMillis(200), Duration.ofSeconds(4));
            assertThat(readAll(hanging)).as("closed by force, no response").isEmpty();
        }
    }

    @Test
    void givenNoConnections_whenDrainedTwice_thenOneDrainAndTheSameResult() throws Exception {
        startServer(Duration.ZERO);
        Drainer drainer = drainer(Duration.ofSeconds(5));
        assertThat(drainer.whenDrained()).as("waiting does not start a drain").isNotDone();
        assertThat(drainer.isDraining()).isFalse();

        var first = drainer.drain();
        var second = drainer.drain();

        assertThat(second).isSameAs(first).isSameAs(drainer.whenDrained());
        assertThat(first.get(5, TimeUnit.SECONDS).clean()).isTrue();
        assertThat(events).containsExactly("drain started", "closed: access log", "closed: metrics");
    }

    @Test
    void givenANegativeTimeout_whenBuilt_thenTheErrorNamesIt() {
        assertThatThrownBy(() -> Drainer.builder().drainTimeout(Duration.ofSeconds(-1)))
                .hasMessage("drainTimeout: PT-1S (expected: PT0S or more)");
    }

    private Drainer drainer(Duration timeout) {
        return Drainer.builder()
                .serverChannels(() -> List.of(server))
                .activeConnections(active::get)
                .eventLoopGroups(group)
                .drainTimeout(timeout)
                .onDrainStart(() -> events.add("drain started"))
                .thenClose(named("access log"), named("metrics"))
                .build();
    }

    private AutoCloseable named(String name) {
        return () -> events.add("closed: " + name);
    }

    private void startServer(Duration answerAfter) {
        ChannelHandler counter = new CountingHandler(active);
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(counter, new HttpServerCodec(), new HttpObjectAggregator(1024),
                                new SlowHandler(answerAfter, requestReceived));
                    }
                })
                .bind("127.0.0.1", 0).syncUninterruptibly().channel();
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(server.localAddress(), 2000);
        socket.setSoTimeout(5000);
        return socket;
    }

    private void awaitRefused() throws InterruptedException {
        InetSocketAddress address = (InetSocketAddress) server.localAddress();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(address, 500);
            } catch (ConnectException refused) {
                return;
            } catch (java.net.SocketException reset) {
                // A connection caught in the backlog while the listener closes is reset: not yet refused, try again.
                if (!String.valueOf(reset.getMessage()).contains("reset")) {
                    throw new AssertionError("expected a refused connection, got " + reset, reset);
                }
            } catch (IOException other) {
                throw new AssertionError("expected a refused connection, got " + other, other);
            }
            assertThat(System.nanoTime() - deadline).as("refused within 5 s").isNegative();
            Thread.sleep(10);
        }
    }

    private static void send(Socket socket, String request) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String readAll(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.net.SocketException reset) {
            return "";
        }
    }

    @ChannelHandler.Sharable
    private static final class CountingHandler extends ChannelInboundHandlerAdapter {
        private final AtomicLong active;

        CountingHandler(AtomicLong active) {
            this.active = active;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            active.incrementAndGet();
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            active.decrementAndGet();
            ctx.fireChannelInactive();
        }
    }

    /** Answers each request after a delay, then closes (as a draining data plane does). */
    private static final class SlowHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Duration answerAfter;
        private final CountDownLatch requestReceived;

        SlowHandler(Duration answerAfter, CountDownLatch requestReceived) {
            this.answerAfter = answerAfter;
            this.requestReceived = requestReceived;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            requestReceived.countDown();
            ctx.executor().schedule(() -> {
                FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                        Unpooled.copiedBuffer("slow answer", StandardCharsets.US_ASCII));
                response.headers().set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                        .set(HttpHeaderNames.CONNECTION, "close");
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }, answerAfter.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
