package dev.trellis.proxy;

import dev.trellis.naming.MeshPorts;
import dev.trellis.ca.tls.TlsContexts;
import dev.trellis.proxy.accesslog.AccessLog;
import dev.trellis.proxy.config.RoutingTable;
import dev.trellis.proxy.config.SnapshotHolder;
import dev.trellis.proxy.forward.DrainEvent;
import dev.trellis.proxy.forward.ForwardingContext;
import dev.trellis.proxy.http.HttpLimits;
import dev.trellis.proxy.http.HttpListenerInitializer;
import dev.trellis.proxy.inbound.InboundFrontendHandler;
import dev.trellis.proxy.metrics.BadRequestReason;
import dev.trellis.proxy.metrics.Direction;
import dev.trellis.proxy.metrics.ProxyMetrics;
import dev.trellis.proxy.outbound.OutboundFrontendHandler;
import dev.trellis.proxy.outlier.ClusterHealthView;
import dev.trellis.proxy.transport.Transport;
import dev.trellis.proxy.upstream.UpstreamConnector;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.SnapshotSource;
import dev.trellis.spec.TlsMode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The proxy's data plane: the outbound and inbound listeners on one set of event loops,
 * configured by a {@link SnapshotSource}. Start-up reads the first snapshot, then binds; the
 * proxy is ready when {@link #start()} returns.
 *
 * <pre>{@code
 * ProxyServer proxy = ProxyServer.builder(FileSnapshotSource.of(path)).build().start();
 * }</pre>
 */
public final class ProxyServer implements AutoCloseable {

    private final Builder config;
    private final Transport transport;
    private final SnapshotHolder holder;
    private final ChannelGroup accepted = new DefaultChannelGroup("trellis-connections", GlobalEventExecutor.INSTANCE);
    private EventLoopGroup group;
    private Channel outbound;
    private Channel inbound;

    private ProxyServer(Builder config) {
        this.config = config;
        this.transport = config.transport != null ? config.transport : Transport.detect();
        this.holder = new SnapshotHolder(new UpstreamConnector(transport, config.limits, config.tls), config.metrics,
                config.appPort);
    }

    public static Builder builder(SnapshotSource source) {
        return new Builder(source);
    }

    /** Applies the first snapshot, binds both listeners, and returns once they accept connections. */
    public ProxyServer start() throws InterruptedException {
        // The first snapshot is read and compiled (JSON binding warms up) while the event loops start
        // and the listeners bind: start-up takes the longer of the two, not their sum.
        java.util.concurrent.CompletableFuture<Void> configured = new java.util.concurrent.CompletableFuture<>();
        Thread first = new Thread(() -> {
            try {
                config.source.start(holder);
                configured.complete(null);
            } catch (Throwable e) {
                configured.completeExceptionally(e);
            }
        }, "trellis-first-snapshot");
        first.setDaemon(true);
        first.start();
        group = transport.newEventLoopGroup(config.eventLoops);
        Supplier<RoutingTable> tables = holder::table;
        ForwardingContext outboundContext = new ForwardingContext(tables, config.limits, config.metrics,
                Direction.OUTBOUND, config.accessLog);
        ForwardingContext inboundContext = new ForwardingContext(tables, config.limits, config.metrics,
                Direction.INBOUND, config.accessLog);
        outbound = bind(config.outboundPort, new HttpListenerInitializer(config.limits,
                () -> new OutboundFrontendHandler(outboundContext), config.metrics.connections(Direction.OUTBOUND),
                ch -> null, outboundContext::idleTimeoutNanos, this::countNotHttp));
        inbound = bind(config.inboundPort, new HttpListenerInitializer(config.limits,
                () -> new InboundFrontendHandler(inboundContext), config.metrics.connections(Direction.INBOUND),
                this::inboundTls, inboundContext::idleTimeoutNanos, this::countNotHttp));
        try {
            configured.join();
        } catch (java.util.concurrent.CompletionException e) {
            close();
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
        }
        return this;
    }

    /** A connection that spoke neither HTTP/1.x nor HTTP/2 was closed: counted as a malformed request. */
    private void countNotHttp() {
        config.metrics.badRequest(BadRequestReason.MALFORMED);
    }

    /** mTLS termination for a new inbound connection, in the snapshot's mode (STRICT until one arrives). */
    private io.netty.channel.ChannelHandler inboundTls(Channel ch) {
        if (config.tls == null) {
            return null;
        }
        RoutingTable table = holder.table();
        TlsMode mode = table == null ? TlsMode.STRICT : table.snapshot().inbound().tls();
        return mode == TlsMode.DISABLED ? null : config.tls.newInboundHandler(mode, ch);
    }

    private Channel bind(int port, HttpListenerInitializer initializer) throws InterruptedException {
        return new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new io.netty.channel.ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepted.add(ch);
                        ch.pipeline().addLast(initializer);
                    }
                })
                .bind(config.bindAddress, port).sync().channel();
    }

    public int outboundPort() {
        return ((InetSocketAddress) outbound.localAddress()).getPort();
    }

    public int inboundPort() {
        return ((InetSocketAddress) inbound.localAddress()).getPort();
    }

    /** The snapshot in force (for the admin port's config dump). */
    public Supplier<ProxySnapshot> currentSnapshot() {
        return holder;
    }

    /** Host health of every cluster (for the admin port's {@code /clusters}). */
    public ClusterHealthView clusterHealth() {
        return holder;
    }

    /** Whether a snapshot is applied and the listeners are bound. */
    public boolean ready() {
        return holder.ready() && outbound != null && outbound.isActive() && inbound != null && inbound.isActive();
    }

    /** The listening channels, for a drain to close first. */
    public List<Channel> serverChannels() {
        return outbound == null ? List.of() : List.of(outbound, inbound);
    }

    /**
     * Starts draining: the listeners stop accepting; idle HTTP/1.1 connections close, busy ones
     * after their current response (with {@code Connection: close}); HTTP/2 connections get a
     * GOAWAY and close when their streams are done.
     */
    public void startDrain() {
        for (Channel listener : serverChannels()) {
            listener.close();
        }
        for (Channel connection : accepted) {
            connection.eventLoop().execute(() -> {
                if (connection.pipeline().get(Http2FrameCodec.class) != null
                        || connection.pipeline().get(dev.trellis.proxy.http.Http2PrefaceDetector.class) != null) {
                    // Http2ConnectionHandler's close is graceful: GOAWAY, then wait for active streams.
                    // A connection that sent nothing yet has nothing to finish.
                    connection.close();
                } else {
                    connection.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE);
                }
            });
        }
    }

    /** Connections open on both listeners now. */
    public int openConnections() {
        return accepted.size();
    }

    /** Applies a snapshot directly, as a source would (tests, admin). */
    public void apply(ProxySnapshot snapshot) {
        holder.accept(snapshot);
    }

    public String transportName() {
        return transport.name();
    }

    @Override
    public void close() {
        config.source.close();
        if (outbound != null) {
            outbound.close().syncUninterruptibly();
        }
        if (inbound != null) {
            inbound.close().syncUninterruptibly();
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** Settings of a {@link ProxyServer}; defaults are the mesh's ports and {@link HttpLimits#DEFAULT}. */
    public static final class Builder {
        private final SnapshotSource source;
        private String bindAddress = "0.0.0.0";
        private int outboundPort = MeshPorts.OUTBOUND;
        private int inboundPort = MeshPorts.INBOUND;
        private int appPort;
        private HttpLimits limits = HttpLimits.DEFAULT;
        private ProxyMetrics metrics = ProxyMetrics.noop();
        private AccessLog accessLog = AccessLog.off();
        private TlsContexts tls;
        private int eventLoops = Runtime.getRuntime().availableProcessors();
        private Transport transport;

        private Builder(SnapshotSource source) {
            this.source = Objects.requireNonNull(source, "source");
        }

        public Builder bindAddress(String address) {
            this.bindAddress = Objects.requireNonNull(address, "bindAddress");
            return this;
        }

        /** 0 picks a free port. */
        public Builder outboundPort(int port) {
            this.outboundPort = requirePort("outboundPort", port);
            return this;
        }

        /** 0 picks a free port. */
        public Builder inboundPort(int port) {
            this.inboundPort = requirePort("inboundPort", port);
            return this;
        }

        /** The local application's port, instead of the snapshot's {@code inbound.appPort}; 0 keeps the snapshot's. */
        public Builder appPort(int port) {
            this.appPort = requirePort("appPort", port);
            return this;
        }

        public Builder limits(HttpLimits httpLimits) {
            this.limits = Objects.requireNonNull(httpLimits, "limits");
            return this;
        }

        public Builder metrics(ProxyMetrics proxyMetrics) {
            this.metrics = Objects.requireNonNull(proxyMetrics, "metrics");
            return this;
        }

        /**
         * The proxy's mesh certificate and trust: inbound connections are terminated in the snapshot's
         * TLS mode, and clusters whose hosts are STRICT or PERMISSIVE are called over mTLS, checking
         * their SPIFFE identity. Null (the default) means plaintext everywhere.
         */
        public Builder tls(TlsContexts contexts) {
            this.tls = contexts;
            return this;
        }

        public Builder accessLog(AccessLog log) {
            this.accessLog = Objects.requireNonNull(log, "accessLog");
            return this;
        }

        public Builder eventLoops(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("eventLoops: " + threads + " (expected: >= 1)");
            }
            this.eventLoops = threads;
            return this;
        }

        public Builder transport(Transport chosen) {
            this.transport = Objects.requireNonNull(chosen, "transport");
            return this;
        }

        public ProxyServer build() {
            return new ProxyServer(this);
        }

        private static int requirePort(String name, int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(name + ": " + port + " (expected: 0..65535)");
            }
            return port;
        }
    }
}
