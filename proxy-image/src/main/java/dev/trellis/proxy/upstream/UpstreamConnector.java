package dev.trellis.proxy.upstream;

import dev.trellis.proxy.http.HttpLimits;
import dev.trellis.proxy.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;

/** Opens upstream connections with the proxy's transport and limits, on the caller's event loop. */
public final class UpstreamConnector {

    private final Transport transport;
    private final HttpLimits limits;

    public UpstreamConnector(Transport transport, HttpLimits limits) {
        this.transport = transport;
        this.limits = limits;
    }

    public HttpLimits limits() {
        return limits;
    }

    Bootstrap bootstrap(EventLoop loop, int connectTimeoutMillis, ChannelInitializer<SocketChannel> initializer) {
        return new Bootstrap()
                .group(loop)
                .channel(transport.socketChannelClass())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, Math.max(1, connectTimeoutMillis))
                .handler(initializer);
    }

    ConnectionPool newPool(UpstreamHost host, EventLoop loop) {
        return host.multiplexed() ? new Http2ConnectionPool(this, host, loop) : new Http1ConnectionPool(this, host, loop);
    }
}
