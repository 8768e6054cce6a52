package dev.trellis.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.function.IntConsumer;

/**
 * Relays the bytes one channel reads to its peer, the same way in both directions (the frontend
 * and backend handlers extend it). Channels run with {@code AUTO_READ} off: the next read is
 * asked for only while the peer is writable, and a peer that becomes writable again asks its
 * own peer for more. A FIN read from one side shuts the peer's output down once what was written
 * is flushed (half-close); a side whose input and output are both shut closes. A reset on one
 * side resets the other.
 */
abstract class TcpRelayHandler extends ChannelInboundHandlerAdapter {

    private final IntConsumer bytesRead;
    /** The other side; null until the upstream connection is made. Only touched on the one event loop. */
    protected Channel peer;

    TcpRelayHandler(IntConsumer bytesRead) {
        this.bytesRead = bytesRead;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (peer == null || !peer.isActive()) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        if (msg instanceof ByteBuf) {
            bytesRead.accept(((ByteBuf) msg).readableBytes());
        }
        peer.writeAndFlush(msg).addListener((ChannelFutureListener) written -> {
            if (!written.isSuccess()) {
                ctx.close();
            }
        });
        if (peer.isWritable()) {
            ctx.read();
        }
        // Otherwise the peer's handler asks for the next read when it drains (channelWritabilityChanged).
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && peer != null && peer.isActive()) {
            peer.read();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            Channel self = ctx.channel();
            if (peer instanceof DuplexChannel && peer.isActive()) {
                DuplexChannel duplexPeer = (DuplexChannel) peer;
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) flushed ->
                        duplexPeer.shutdownOutput().addListener((ChannelFutureListener) shut -> {
                            if (duplexPeer.isInputShutdown()) {
                                duplexPeer.close();
                            }
                        }));
            } else {
                self.close();
            }
            if (self instanceof DuplexChannel && ((DuplexChannel) self).isOutputShutdown()) {
                self.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (peer != null) {
            if (peer.isActive()) {
                // What was relayed is delivered first, then the peer closes too.
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            } else {
                // Still connecting (or already gone): nothing to deliver, nothing may stay open.
                peer.close();
            }
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException && peer != null && peer.isActive()) {
            // Carry the reset over: SO_LINGER 0 makes the close send RST, so the other side
            // sees a failure instead of a clean end of stream.
            peer.config().setOption(ChannelOption.SO_LINGER, 0);
            peer.close();
        }
        ctx.close();
    }
}
