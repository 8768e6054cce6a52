package dev.trellis.e2e.support;

import dev.trellis.snapshot.Cluster;
import dev.trellis.snapshot.Endpoint;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.SnapshotSource;
import dev.trellis.snapshot.Snapshots;
import java.util.List;
import java.util.function.Consumer;

/**
 * The network of a test in which every "task" runs on this one host, on loopback.
 *
 * <p>moto accepts a VPC {@code 127.0.0.0/16} with a subnet {@code 127.0.1.0/24}, but gives each awsvpc
 * task an ENI address {@code 10.a.b.c} drawn at random whatever the subnet (moto 5.2.1,
 * {@code ecs/models.py}: {@code random_private_ip()} without the subnet's CIDR), so task addresses
 * cannot be made loopback addresses in moto. This host plays the
 * VPC instead: a task whose ENI is {@code 10.a.b.c} binds its proxy on {@code 127.a.b.c} (all of
 * 127/8 is loopback on Linux), and each proxy sees its snapshot through {@link #seenFromThisHost}, which
 * translates every endpoint address the same way. Cloud Map and the controller hold the real
 * ENI addresses; only what a proxy dials is translated.
 *
 * <p>(The other one-host concern, two apps of a service sharing the spec's application port, is
 * the proxy's own {@code ProxyServer.Builder.appPort}.)
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

    /** The snapshots of {@code source} as a proxy on this host uses them: endpoint addresses translated to loopback. */
    public static SnapshotSource seenFromThisHost(SnapshotSource source) {
        return new SnapshotSource() {
            @Override
            public void start(Consumer<ProxySnapshot> listener) {
                source.start(snapshot -> listener.accept(translated(snapshot)));
            }

            @Override
            public void close() {
                source.close();
            }
        };
    }

    static ProxySnapshot translated(ProxySnapshot snapshot) {
        List<Cluster> clusters = snapshot.clusters().stream()
                .map(c -> c.withEndpoints(c.endpoints().stream()
                        .map(e -> new Endpoint(loopbackOf(e.address()), e.port(), e.zone(), e.healthy(), e.workload()))
                        .toList()))
                .toList();
        return Snapshots.seal(new ProxySnapshot(null, snapshot.mesh(), snapshot.service(), snapshot.identity(),
                snapshot.trustDomain(), snapshot.inbound(),
                snapshot.outbound(), clusters));
    }
}
