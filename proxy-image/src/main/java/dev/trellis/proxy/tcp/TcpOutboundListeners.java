package dev.trellis.proxy.tcp;

import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.VirtualService;
import dev.trellis.spec.Protocol;
import dev.trellis.spec.Timeouts;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One {@link TcpProxy} per {@code protocol: tcp} service the local application may call, each
 * on the service's port: the application connects to {@code 127.0.0.1:<port>} (explicit mode;
 * HTTP services share the outbound port and are told apart by Host, TCP ones cannot be). The
 * services are those of the snapshot at start; a service added later needs a restart.
 */
public final class TcpOutboundListeners implements AutoCloseable {

    private final EventLoopGroup group;
    private final List<TcpProxy> listeners;

    private TcpOutboundListeners(EventLoopGroup group, List<TcpProxy> listeners) {
        this.group = group;
        this.listeners = listeners;
    }

    /**
     * Starts a listener on {@code bindAddress} for every TCP service of {@code first} but the
     * proxy's own (whose port its application listens on); none, and no thread, when there is none.
     */
    public static TcpOutboundListeners start(ProxySnapshot first, Supplier<ProxySnapshot> current,
            String bindAddress, MeterRegistry registry) {
        List<VirtualService> tcpServices = first.outbound() == null ? List.of() : first.outbound().services().stream()
                .filter(s -> s.protocol() == Protocol.TCP && !s.name().equals(first.service()))
                .toList();
        if (tcpServices.isEmpty()) {
            return new TcpOutboundListeners(null, List.of());
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("trellis-tcp"),
                NioIoHandler.newFactory());
        List<TcpProxy> listeners = new ArrayList<>();
        try {
            for (VirtualService service : tcpServices) {
                Timeouts timeouts = service.routes().isEmpty() ? Timeouts.DEFAULT : service.routes().get(0).timeouts();
                listeners.add(TcpProxy.builder()
                        .eventLoopGroup(group)
                        .bindAddress(bindAddress)
                        .port(service.port())
                        .upstreams(SnapshotUpstreamPicker.of(current, service.name()))
                        .connectTimeout(timeouts.connect())
                        .idleTimeout(timeouts.idle())
                        .cluster(service.name())
                        .meterRegistry(registry)
                        .start());
            }
        } catch (RuntimeException e) {
            listeners.forEach(TcpProxy::close);
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
        return new TcpOutboundListeners(group, List.copyOf(listeners));
    }

    public List<TcpProxy> listeners() {
        return listeners;
    }

    /** The listening channels, for the drain to close first. */
    public List<Channel> serverChannels() {
        return listeners.stream().map(TcpProxy::serverChannel).toList();
    }

    /** Relayed connections open now. */
    public long activeConnections() {
        long active = 0;
        for (TcpProxy listener : listeners) {
            active += listener.meters().active();
        }
        return active;
    }

    /** Stops accepting and cuts relayed connections: call it after the drain waited for them. */
    @Override
    public void close() {
        listeners.forEach(TcpProxy::close);
        if (group != null) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }
}
