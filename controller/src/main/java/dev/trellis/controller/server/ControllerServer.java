package dev.trellis.controller.server;

import dev.trellis.ca.authority.CertificateAuthorityService;
import dev.trellis.ca.authority.MeshCa;
import dev.trellis.ca.authority.RevocationService;
import dev.trellis.controller.registry.Registry;
import dev.trellis.controller.snapshots.SnapshotFeed;
import dev.trellis.controller.status.ProxyTracker;
import dev.trellis.controller.status.StatusReporter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The controller's one HTTP port: snapshots by long-poll ({@code /v1/snapshots/{service}}), the
 * registry API ({@code /v1/registry/...}), status and health ({@code /v1/status}, {@code /ready},
 * {@code /live}, {@code /metrics}), and, when configured, the mesh CA ({@code /v1/certificates},
 * {@code /v1/trust-bundle}). Parked long-polls hold a channel and a timer, no thread.
 *
 * <pre>{@code
 * ControllerServer server = ControllerServer.builder(snapshots, registry, status, proxies, prometheus)
 *         .port(9090).build().start();
 * }</pre>
 */
public final class ControllerServer implements AutoCloseable {

    private final String host;
    private final int requestedPort;
    private final ControllerHttpHandler handler;
    /** Status, metrics and certificate issuing: work that must not run on the event loop. */
    private final ExecutorService blocking = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "controller-admin");
        t.setDaemon(true);
        return t;
    });
    private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
    private Channel channel;

    private ControllerServer(Builder b) {
        this.host = b.host;
        this.requestedPort = b.port;
        List<Route> routes = new java.util.ArrayList<>(List.of(
                new SnapshotRoute(b.feed, b.proxies, b.prometheus),
                new RegistryRoute(b.registry),
                new AdminRoute(b.feed, b.status, b.prometheus, blocking)));
        if (b.certificates != null) {
            routes.add(new CertificateRoute(b.certificates, b.authority, b.revocations, blocking));
        }
        this.handler = new ControllerHttpHandler(routes);
    }

    public static Builder builder(SnapshotFeed feed, Registry registry, StatusReporter status, ProxyTracker proxies,
            PrometheusMeterRegistry prometheus) {
        return new Builder(feed, registry, status, proxies, prometheus);
    }

    /** Binds the port and serves. */
    public ControllerServer start() throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast("http", new HttpServerCodec())
                                .addLast("aggregate", new HttpObjectAggregator(64 * 1024))
                                .addLast("controller", handler);
                    }
                });
        channel = bootstrap.bind(new InetSocketAddress(host, requestedPort)).sync().channel();
        return this;
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly();
        }
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
        blocking.shutdownNow();
    }

    /** Settings of a {@link ControllerServer}. */
    public static final class Builder {
        private final SnapshotFeed feed;
        private final Registry registry;
        private final StatusReporter status;
        private final ProxyTracker proxies;
        private final PrometheusMeterRegistry prometheus;
        private String host = "0.0.0.0";
        private int port = 9090;
        private CertificateAuthorityService certificates;
        private MeshCa authority;
        private RevocationService revocations;

        private Builder(SnapshotFeed feed, Registry registry, StatusReporter status, ProxyTracker proxies,
                PrometheusMeterRegistry prometheus) {
            this.feed = Objects.requireNonNull(feed, "feed");
            this.registry = Objects.requireNonNull(registry, "registry");
            this.status = Objects.requireNonNull(status, "status");
            this.proxies = Objects.requireNonNull(proxies, "proxies");
            this.prometheus = Objects.requireNonNull(prometheus, "prometheus");
        }

        /** The address to bind; default every interface ({@code 0.0.0.0}). */
        public Builder host(String value) {
            this.host = Objects.requireNonNull(value, "host");
            return this;
        }

        /** The port; 0 picks a free one. Default 9090. */
        public Builder port(int value) {
            if (value < 0 || value > 65535) {
                throw new IllegalArgumentException("port: " + value + " (expected: 0..65535)");
            }
            this.port = value;
            return this;
        }

        /** Serves the mesh CA: {@code POST /v1/certificates} and {@code GET /v1/trust-bundle}. */
        public Builder certificates(CertificateAuthorityService service, MeshCa ca) {
            this.certificates = Objects.requireNonNull(service, "service");
            this.authority = Objects.requireNonNull(ca, "ca");
            return this;
        }

        /** Accepts {@code POST /v1/revocations} (with the certificates); without it revocations are refused with 403. */
        public Builder revocations(RevocationService service) {
            this.revocations = Objects.requireNonNull(service, "service");
            return this;
        }

        public ControllerServer build() {
            return new ControllerServer(this);
        }
    }
}
