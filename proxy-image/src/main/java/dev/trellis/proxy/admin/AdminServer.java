package dev.trellis.proxy.admin;

import dev.trellis.naming.MeshPorts;
import dev.trellis.proxy.metrics.ProxyMetrics;
import dev.trellis.proxy.outlier.ClusterHealthView;
import dev.trellis.snapshot.ProxySnapshot;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The proxy's admin port (9901 by default), on its own single-thread event loop so that a slow
 * scrape never delays traffic and a busy data plane never delays a health check:
 *
 * <ul>
 *   <li>{@code GET /ready}: 200 when {@link Readiness} has no blocker, else 503 naming it;</li>
 *   <li>{@code GET /live}: 200 while the process answers;</li>
 *   <li>{@code GET /config}: the applied snapshot as JSON ({@code Snapshots.toJson}), 503 before one;</li>
 *   <li>{@code GET /clusters}: the data plane's {@link ClusterHealthView} as JSON: hosts per cluster with
 *       registry health, ejection (and time left), failures in a row and requests in flight;</li>
 *   <li>{@code GET /metrics}: every meter in the Prometheus text format;</li>
 *   <li>{@code POST /drain}: starts a graceful drain (202), when a drain action is set.</li>
 * </ul>
 *
 * <pre>{@code
 * AdminServer admin = AdminServer.builder()
 *         .metrics(metrics)
 *         .snapshot(server::currentSnapshot)
 *         .clusterHealth(server.clusterHealth())
 *         .readiness(server.readiness().and(drainer.readiness()))
 *         .onDrain(drainer::drainAsync)
 *         .start();
 * }</pre>
 */
public final class AdminServer implements AutoCloseable {

    /** The largest admin request body read; admin requests have none worth more. */
    static final int MAX_REQUEST_BYTES = 16 * 1024;

    private final EventLoopGroup group;
    private final Channel serverChannel;

    private AdminServer(EventLoopGroup group, Channel serverChannel) {
        this.group = group;
        this.serverChannel = serverChannel;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The port bound, which differs from the one asked for when that was 0. */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Stops listening, closes open admin connections and stops the admin thread; waits up to 5 s. */
    @Override
    public void close() {
        serverChannel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    static void initPipeline(ChannelPipeline pipeline, AdminHandler handler) {
        pipeline.addLast("http", new HttpServerCodec());
        pipeline.addLast("aggregator", new HttpObjectAggregator(MAX_REQUEST_BYTES));
        pipeline.addLast("admin", handler);
    }

    /** Settings of the admin port; {@link #start()} binds it. Not thread-safe. */
    public static final class Builder {
        private String bindAddress = "0.0.0.0";
        private int port = MeshPorts.ADMIN;
        private Readiness readiness = Readiness.ALWAYS;
        private Supplier<ProxySnapshot> snapshot = () -> null;
        private ClusterHealthView clusterHealth = List::of;
        private ProxyMetrics metrics = ProxyMetrics.noop();
        private Runnable drain;

        private Builder() {
        }

        /**
         * The address to listen on; default {@code 0.0.0.0}, because Kubernetes probes and load
         * balancer health checks come from outside the task or pod.
         */
        public Builder bindAddress(String bindAddress) {
            this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
            return this;
        }

        /** The port; default {@value MeshPorts#ADMIN}; 0 picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
            }
            this.port = port;
            return this;
        }

        public Builder readiness(Readiness readiness) {
            this.readiness = Objects.requireNonNull(readiness, "readiness");
            return this;
        }

        /** The snapshot applied now, or null before the first; called per {@code /config}. */
        public Builder snapshot(Supplier<ProxySnapshot> snapshot) {
            this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
            return this;
        }

        /** Host health per cluster for {@code /clusters}; none until set. */
        public Builder clusterHealth(ClusterHealthView clusterHealth) {
            this.clusterHealth = Objects.requireNonNull(clusterHealth, "clusterHealth");
            return this;
        }

        public Builder metrics(ProxyMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /** What {@code POST /drain} starts; it must return at once. Without it, {@code /drain} is 404. */
        public Builder onDrain(Runnable drain) {
            this.drain = Objects.requireNonNull(drain, "drain");
            return this;
        }

        /** Binds the port and starts answering; fails if the port is taken. */
        public AdminServer start() {
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
                    new DefaultThreadFactory("trellis-admin", true), NioIoHandler.newFactory());
            try {
                Channel channel = new ServerBootstrap()
                        .group(group)
                        .channel(NioServerSocketChannel.class)
                        .option(ChannelOption.SO_REUSEADDR, true)
                        .childHandler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                initPipeline(ch.pipeline(), newHandler());
                            }
                        })
                        .bind(bindAddress, port)
                        .syncUninterruptibly()
                        .channel();
                return new AdminServer(group, channel);
            } catch (Exception e) { // the bind's BindException arrives undeclared
                group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
                throw new IllegalStateException("admin port: " + bindAddress + ":" + port
                        + " (expected: a free port to listen on)", e);
            }
        }

        AdminHandler newHandler() {
            return new AdminHandler(readiness, snapshot, clusterHealth, metrics, drain);
        }
    }
}
