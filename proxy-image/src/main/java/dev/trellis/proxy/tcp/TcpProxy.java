package dev.trellis.proxy.tcp;

import dev.trellis.spec.Timeouts;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A listener that relays every accepted connection, byte for byte, to a host the
 * {@link UpstreamPicker} chooses: the pass-through for {@code protocol: tcp} services.
 *
 * <pre>{@code
 * TcpProxy proxy = TcpProxy.builder()
 *         .eventLoopGroup(workers)                 // the data plane's; the upstream connection shares the caller's loop
 *         .port(15001)
 *         .upstreams(balancer::pickAddress)
 *         .cluster("db/v1")                        // tags the meters
 *         .meterRegistry(metrics.registry())
 *         .connectTimeout(Duration.ofSeconds(1))
 *         .start();
 * }</pre>
 *
 * <p>The caller's connection is closed when no host is available or the connect fails or times
 * out (each counted in {@link TcpMeters}). The proxy does not own the event loop group.
 */
public final class TcpProxy implements AutoCloseable {

    /** Settings every connection's handlers share. */
    record Settings(UpstreamPicker upstreams, Duration connectTimeout, Duration idleTimeout,
                    Class<? extends Channel> socketChannelType, TcpMeters meters) {
    }

    private final Channel serverChannel;
    private final ChannelGroup connections;
    private final TcpMeters meters;

    private TcpProxy(Channel serverChannel, ChannelGroup connections, TcpMeters meters) {
        this.serverChannel = serverChannel;
        this.connections = connections;
        this.meters = meters;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The port bound. */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** The listening channel, for the drainer. */
    public Channel serverChannel() {
        return serverChannel;
    }

    public TcpMeters meters() {
        return meters;
    }

    /**
     * Stops accepting and closes the callers' connections still open (their upstream connections
     * follow once what was relayed is flushed). A drain stops accepting first, through
     * {@link #serverChannel()}, and lets connections end on their own before this.
     */
    @Override
    public void close() {
        serverChannel.close().awaitUninterruptibly();
        connections.close().awaitUninterruptibly();
    }

    /** Settings of a TCP pass-through listener. Not thread-safe. */
    public static final class Builder {
        private EventLoopGroup group;
        private Class<? extends ServerChannel> serverChannelType = NioServerSocketChannel.class;
        private Class<? extends Channel> socketChannelType = NioSocketChannel.class;
        private String bindAddress = "0.0.0.0";
        private int port;
        private UpstreamPicker upstreams;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration idleTimeout = Timeouts.DEFAULT.idle();
        private String cluster = "tcp";
        private MeterRegistry registry = new CompositeMeterRegistry();

        private Builder() {
        }

        /** The event loops to accept and relay on. Required. */
        public Builder eventLoopGroup(EventLoopGroup group) {
            this.group = Objects.requireNonNull(group, "eventLoopGroup");
            return this;
        }

        /** The channel types of the group's transport; NIO unless set (epoll: EpollServerSocketChannel, EpollSocketChannel). */
        public Builder channelTypes(Class<? extends ServerChannel> serverChannelType,
                Class<? extends Channel> socketChannelType) {
            this.serverChannelType = Objects.requireNonNull(serverChannelType, "serverChannelType");
            this.socketChannelType = Objects.requireNonNull(socketChannelType, "socketChannelType");
            return this;
        }

        public Builder bindAddress(String bindAddress) {
            this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
            return this;
        }

        /** 0 picks a free port. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
            }
            this.port = port;
            return this;
        }

        /** Where each new connection goes. Required. */
        public Builder upstreams(UpstreamPicker upstreams) {
            this.upstreams = Objects.requireNonNull(upstreams, "upstreams");
            return this;
        }

        /** How long a connect to a host may take; default 5 s. */
        public Builder connectTimeout(Duration connectTimeout) {
            if (connectTimeout == null || connectTimeout.toMillis() < 1 || connectTimeout.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("connectTimeout: " + connectTimeout
                        + " (expected: at least PT0.001S)");
            }
            this.connectTimeout = connectTimeout;
            return this;
        }

        /**
         * How long a connection may carry no byte in either direction before both its sides are
         * closed; the spec's default (300 s) unless set.
         */
        public Builder idleTimeout(Duration idleTimeout) {
            if (idleTimeout == null || idleTimeout.toMillis() < 1) {
                throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: at least PT0.001S)");
            }
            this.idleTimeout = idleTimeout;
            return this;
        }

        /** The cluster name the meters are tagged with. */
        public Builder cluster(String cluster) {
            this.cluster = Objects.requireNonNull(cluster, "cluster");
            return this;
        }

        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "meterRegistry");
            return this;
        }

        /** Binds and starts accepting. */
        public TcpProxy start() {
            if (group == null) {
                throw new IllegalStateException("eventLoopGroup: null (expected: the event loops to relay on)");
            }
            if (upstreams == null) {
                throw new IllegalStateException("upstreams: null (expected: an UpstreamPicker)");
            }
            TcpMeters meters = new TcpMeters(registry, cluster);
            Settings settings = new Settings(upstreams, connectTimeout, idleTimeout, socketChannelType, meters);
            ChannelGroup connections = new DefaultChannelGroup(group.next());
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(serverChannelType)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            connections.add(ch);
                            // Reads from the caller and writes to it: idle means neither direction moved.
                            ch.pipeline().addLast("tcp-idle", new IdleStateHandler(0, 0,
                                    settings.idleTimeout().toNanos(), TimeUnit.NANOSECONDS));
                            ch.pipeline().addLast("tcp-frontend", new TcpFrontendHandler(settings));
                        }
                    })
                    .bind(bindAddress, port)
                    .syncUninterruptibly()
                    .channel();
            return new TcpProxy(channel, connections, meters);
        }
    }
}
