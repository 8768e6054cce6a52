package dev.trellis.e2e.support;

import dev.trellis.snapshot.Cluster;
import dev.trellis.snapshot.Endpoint;
import dev.trellis.snapshot.Inbound;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.SnapshotSource;
import dev.trellis.snapshot.Snapshots;
import java.util.List;
import java.util.function.Consumer;

/**
 * The network of a test in which every "task" runs on this one host, on loopback.
 *
 * <p>moto gives each awsvpc task an ENI address {@code 10.a.b.c} drawn at random, whatever the
 * subnet's CIDR (moto 5.2.1, {@code ecs/models.py}: {@code random_private_ip()} without the
 * subnet), so task addresses cannot be made loopback addresses in moto. This host plays the
 * VPC instead: a task whose ENI is {@code 10.a.b.c} binds its proxy on {@code 127.a.b.c} (all of
 * 127/8 is loopback on Linux), and each proxy sees its snapshot through {@link #asSeenBy}, which
 * translates every endpoint address the same way. Cloud Map and the controller hold the real
 * ENI addresses; only what a proxy dials is translated.
 *
 * <p>Second, the snapshot's application port is the spec's, one per service; on one host the
 * apps of two tasks of a service cannot share it, so each proxy's inbound listener forwards to
 * its own app's port instead (on ECS each task has its own loopback and this is not needed).
 */
public final class OneHostNetwork {

    private OneHostNetwork() {
    }

    /** The loopback address standing for a VPC address: {@code 10.a.b.c} becomes {@code 127.a.b.c}. */
    public static String loopbackOf(String vpcAddress) {
        String[] octets = vpcAddress.split("\\.");
        if (octets.length != 4) {
            throw new IllegalArgumentException("vpcAddress: " + vpcAddress + " (expected: an IPv4 address)");
        }
        return "127." + octets[1] + "." + octets[2] + "." + octets[3];
    }

    /**
     * The snapshots of {@code source} as the proxy of a task on this host uses them: endpoint
     * addresses translated to loopback, and the inbound listener forwarding to {@code appPort}.
     */
    public static SnapshotSource asSeenBy(SnapshotSource source, int appPort) {
        return new SnapshotSource() {
            @Override
            public void start(Consumer<ProxySnapshot> listener) {
                source.start(snapshot -> listener.accept(translated(snapshot, appPort)));
            }

            @Override
            public void close() {
                source.close();
            }
        };
    }

    static ProxySnapshot translated(ProxySnapshot snapshot, int appPort) {
        Inbound in = snapshot.inbound();
        List<Cluster> clusters = snapshot.clusters().stream()
                .map(c -> c.withEndpoints(c.endpoints().stream()
                        .map(e -> new Endpoint(loopbackOf(e.address()), e.port(), e.zone(), e.healthy(), e.workload()))
                        .toList()))
                .toList();
        return Snapshots.seal(new ProxySnapshot(null, snapshot.mesh(), snapshot.service(), snapshot.identity(),
                snapshot.trustDomain(), new Inbound(in.port(), appPort, in.protocol(), in.tls(), in.authorization()),
                snapshot.outbound(), clusters));
    }
}
