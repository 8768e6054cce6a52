package dev.trellis.ca.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import dev.trellis.ca.tls.PeerIdentity;
import dev.trellis.naming.SpiffeId;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A Netty echo server on 127.0.0.1 and clients for it: each server connection reports what it saw
 * (handshake outcome, caller identity) and echoes back {@code <identity or anonymous>:<text>}.
 */
public final class Loopback implements AutoCloseable {
    private static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());

    /** What the server saw on one connection. */
    public record Accepted(boolean handshakeSucceeded, Optional<SpiffeId> caller, Throwable failure) {
    }

    public final BlockingQueue<Accepted> accepted = new LinkedBlockingQueue<>();
    private final Channel server;

    /** A server whose first handler per connection comes from {@code firstHandler} (null: plaintext). */
    public Loopback(Function<SocketChannel, ChannelHandler> firstHandler) throws InterruptedException {
        server = new ServerBootstrap().group(GROUP).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelHandler tls = firstHandler.apply(ch);
                        if (tls != null) {
                            ch.pipeline().addLast(tls);
                        }
                        ch.pipeline().addLast(new ServerEcho());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** A client connection: {@code tls} (nullable for plaintext) then a collector of echoed text. */
    public Client connect(Function<SocketChannel, ChannelHandler> tls) throws InterruptedException {
        Client client = new Client();
        Channel channel = new Bootstrap().group(GROUP).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelHandler handler = tls == null ? null : tls.apply(ch);
                        if (handler != null) {
                            client.ssl = handler instanceof SslHandler ssl ? ssl : null;
                            ch.pipeline().addLast(handler);
                        }
                        ch.pipeline().addLast(client.collector);
                    }
                })
                .connect("127.0.0.1", port()).sync().channel();
        client.channel = channel;
        return client;
    }

    @Override
    public void close() throws InterruptedException {
        server.close().sync();
    }

    /** One client connection. */
    public static final class Client implements AutoCloseable {
        public final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        public Channel channel;
        private SslHandler ssl;
        final ChannelHandler collector = new SimpleChannelInboundHandler<ByteBuf>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                received.add(msg.toString(StandardCharsets.UTF_8));
            }
        };

        /** Waits for the handshake; true on success, false on failure. */
        public boolean handshake() throws InterruptedException {
            return ssl.handshakeFuture().await(5, TimeUnit.SECONDS) && ssl.handshakeFuture().isSuccess();
        }

        /** Sends text and waits for its echo (null if none within 5 s). */
        public String exchange(String text) throws InterruptedException {
            channel.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
            return received.poll(5, TimeUnit.SECONDS);
        }

        /** The client's TLS handler, kept after a failed handshake clears the pipeline. */
        public SslHandler ssl() {
            return ssl;
        }

        @Override
        public void close() throws InterruptedException {
            channel.close().sync();
        }
    }

    private final class ServerEcho extends SimpleChannelInboundHandler<ByteBuf> {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof SslHandshakeCompletionEvent done) {
                accepted.add(new Accepted(done.isSuccess(),
                        done.isSuccess() ? PeerIdentity.of(ctx.channel()) : Optional.empty(), done.cause()));
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
            String caller = PeerIdentity.of(ctx.channel()).map(SpiffeId::service).orElse("anonymous");
            ctx.writeAndFlush(Unpooled.copiedBuffer(caller + ":" + msg.toString(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
