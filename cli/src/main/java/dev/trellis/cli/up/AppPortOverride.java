package dev.trellis.cli.up;

import dev.trellis.snapshot.Inbound;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.SnapshotSource;
import dev.trellis.snapshot.Snapshots;
import java.util.function.Consumer;

/**
 * Points a proxy's inbound listener at its own instance's port. The controller serves one
 * snapshot per service, whose app port is the spec's; on one machine several instances of a
 * service cannot share that port, so each local proxy gets the snapshot resealed with its
 * instance's port (a sidecar on ECS or EKS never needs this: each instance has its own address).
 */
final class AppPortOverride implements SnapshotSource {

    private final SnapshotSource delegate;
    private final int appPort;

    AppPortOverride(SnapshotSource delegate, int appPort) {
        this.delegate = delegate;
        this.appPort = appPort;
    }

    @Override
    public void start(Consumer<ProxySnapshot> listener) {
        delegate.start(snapshot -> listener.accept(withAppPort(snapshot)));
    }

    private ProxySnapshot withAppPort(ProxySnapshot snapshot) {
        Inbound in = snapshot.inbound();
        return Snapshots.seal(new ProxySnapshot(null, snapshot.mesh(), snapshot.service(), snapshot.identity(),
                snapshot.trustDomain(), new Inbound(in.port(), appPort, in.protocol(), in.tls(), in.authorization()),
                snapshot.outbound(), snapshot.clusters()));
    }

    @Override
    public void close() {
        delegate.close();
    }
}
