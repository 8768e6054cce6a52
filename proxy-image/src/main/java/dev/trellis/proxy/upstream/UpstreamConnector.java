package dev.trellis.proxy.upstream;

import dev.trellis.ca.tls.TlsContexts;
import dev.trellis.proxy.http.HttpLimits;
import dev.trellis.proxy.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import java.util.function.Consumer;

/** Opens upstream connections with the proxy's transport and limits, on the caller's event loop. */
public final class UpstreamConnector {

    private final Transport transport;
    private final HttpLimits limits;
    private final TlsContexts tls;

    public UpstreamConnector(Transport transport, HttpLimits limits) {
        this(transport, limits, null);
    }

    /** @param tls the proxy's mesh certificate and trust, or null when the proxy speaks no TLS */
    public UpstreamConnector(Transport transport, HttpLimits limits, TlsContexts tls) {
        this.transport = transport;
        this.limits = limits;
        this.tls = tls;
    }

    public HttpLimits limits() {
        return limits;
    }

    /** Whether this proxy can originate mTLS at all. */
    public boolean originatesTls() {
        return tls != null;
    }

    /**
     * Adds mTLS origination to a new connection to {@code host}, when the host's cluster asks for
     * it, offering over ALPN only the protocol the pool will speak on it.
     */
    void secure(Channel ch, UpstreamHost host) {
        if (tls != null && host.peerIdentity() != null) {
            String protocol = host.multiplexed() ? ApplicationProtocolNames.HTTP_2 : ApplicationProtocolNames.HTTP_1_1;
            ch.pipeline().addFirst(tls.newOutboundHandler(host.peerIdentity(), protocol, ch.alloc(),
                    host.endpoint().address(), host.endpoint().port()));
        }
    }

    /**
     * Runs {@code ready} once a connected channel can carry requests: at once in plaintext, after
     * the handshake (which checks the peer's SPIFFE identity) with mTLS; else {@code failed}.
     */
    static void whenReady(Channel ch, Runnable ready, Consumer<Throwable> failed) {
        SslHandler ssl = ch.pipeline().get(SslHandler.class);
        if (ssl == null) {
            ready.run();
            return;
        }
        // With AUTO_READ off the handshake needs a first read.
        ch.read();
        ssl.handshakeFuture().addListener(handshake -> {
            if (handshake.isSuccess()) {
                ready.run();
            } else {
                ch.close();
                failed.accept(handshake.cause());
            }
        });
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
