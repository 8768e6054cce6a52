package dev.trellis.proxy.tcp;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;

/** The upstream side of a TCP relay: what the host sends goes to the caller. */
final class TcpBackendHandler extends TcpRelayHandler {

    TcpBackendHandler(Channel frontend, TcpMeters meters) {
        super(meters::sent);
        this.peer = frontend;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }
}
