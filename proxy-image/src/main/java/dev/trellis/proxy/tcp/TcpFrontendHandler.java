package dev.trellis.proxy.tcp;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * The caller's side of a TCP relay: on accept, picks a host and connects to it on the same event
 * loop, then relays. Nothing is read from the caller until the host answered.
 */
final class TcpFrontendHandler extends TcpRelayHandler {

    private final TcpProxy.Settings settings;
    private final TcpMeters meters;

    TcpFrontendHandler(TcpProxy.Settings settings) {
        super(settings.meters()::received);
        this.settings = settings;
        this.meters = settings.meters();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        meters.opened();
        Channel frontend = ctx.channel();
        Optional<InetSocketAddress> host = settings.upstreams().pick();
        if (host.isEmpty()) {
            meters.noHost();
            frontend.close();
            return;
        }
        ChannelFuture connect = new Bootstrap()
                .group(frontend.eventLoop())
                .channel(settings.socketChannelType())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
                .handler(new TcpBackendHandler(frontend, meters))
                .connect(host.get());
        peer = connect.channel();
        connect.addListener((ChannelFutureListener) connected -> {
            if (connected.isSuccess()) {
                frontend.read();
            } else {
                if (connected.cause() instanceof ConnectTimeoutException) {
                    meters.connectTimedOut();
                } else if (connected.cause() instanceof ConnectException) {
                    meters.connectRefused();
                }
                frontend.close();
            }
        });
        ctx.fireChannelActive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            meters.idleClosed();
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        meters.closed();
        super.channelInactive(ctx);
    }
}
