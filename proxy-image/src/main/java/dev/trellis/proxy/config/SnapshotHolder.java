package dev.trellis.proxy.config;

import dev.trellis.proxy.metrics.ProxyMetrics;
import dev.trellis.proxy.outlier.ClusterHealthView;
import dev.trellis.proxy.upstream.UpstreamCluster;
import dev.trellis.proxy.upstream.UpstreamConnector;
import dev.trellis.proxy.upstream.UpstreamHost;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.Snapshots;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The proxy's current routing table. A snapshot is checked, compiled off the event loops, and
 * then published with one volatile write: a request sees the old table or the new one, never a
 * mix, and requests in flight finish on the table they started with. Hosts that left are retired
 * after the swap (idle connections closed, busy ones closed when their request ends).
 */
public final class SnapshotHolder implements Consumer<ProxySnapshot>, Supplier<ProxySnapshot>, ClusterHealthView {

    private final RoutingTableCompiler compiler;
    private volatile RoutingTable table;

    public SnapshotHolder(UpstreamConnector connector, ProxyMetrics metrics) {
        this(connector, metrics, 0);
    }

    /**
     * @param appPortOverride the local application's port, overriding the snapshot's
     *        {@code inbound.appPort} when positive (several instances of one service on one host)
     */
    public SnapshotHolder(UpstreamConnector connector, ProxyMetrics metrics, int appPortOverride) {
        this.compiler = new RoutingTableCompiler(connector, metrics, appPortOverride);
    }

    /** Applies a snapshot; an inconsistent one is refused with every problem, and the current table stays. */
    @Override
    public synchronized void accept(ProxySnapshot snapshot) {
        Snapshots.requireConsistent(snapshot);
        RoutingTableCompiler.Result result = compiler.compile(snapshot, table);
        table = result.table();
        for (UpstreamHost host : result.retired()) {
            host.retire();
        }
    }

    /** The table requests use now, or null before the first snapshot. */
    public RoutingTable table() {
        return table;
    }

    /** The snapshot in force, or null before the first: for the admin port's config dump. */
    @Override
    public ProxySnapshot get() {
        RoutingTable current = table;
        return current == null ? null : current.snapshot();
    }

    public boolean ready() {
        return table != null;
    }

    @Override
    public List<ClusterHealth> clusters() {
        RoutingTable current = table;
        if (current == null) {
            return List.of();
        }
        long now = System.nanoTime();
        List<ClusterHealth> clusters = new ArrayList<>();
        for (UpstreamCluster cluster : current.clusters().values()) {
            List<HostStatus> hosts = new ArrayList<>();
            int open = 0;
            for (UpstreamHost host : cluster.hosts()) {
                open += host.openConnections();
                hosts.add(new HostStatus(host.endpoint().address(), host.endpoint().port(), host.endpoint().healthy(),
                        host.health().ejected(now), Duration.ofNanos(host.health().ejectionRemainingNanos(now)),
                        host.health().ejections(), host.health().consecutiveFailures(), host.inflight()));
            }
            clusters.add(new ClusterHealth(cluster.name(), cluster.config().protocol().name().toLowerCase(),
                    cluster.config().loadBalancer().name().toLowerCase(), cluster.breaker().requests(), open, hosts));
        }
        clusters.sort(Comparator.comparing(ClusterHealth::name));
        return clusters;
    }
}
