package dev.trellis.proxy.testing;

import dev.trellis.snapshot.Endpoint;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.SnapshotCompiler;
import dev.trellis.spec.MeshSpecs;
import java.util.List;

/** Small, real snapshots compiled from a spec, for tests of the operations side. */
public final class TestSnapshots {

    public static final String SPEC = """
            apiVersion: trellis.dev/v1
            mesh: shop
            trustDomain: shop.trellis.local
            tls: DISABLED
            services:
              - name: frontend
                protocol: http
                port: 8080
              - name: orders
                protocol: http
                port: 8081
                versions: [v1, v2]
            """;

    private TestSnapshots() {
    }

    /** The frontend's snapshot; orders has one host per version on 127.0.0.1. */
    public static ProxySnapshot frontend() {
        return SnapshotCompiler.compile(MeshSpecs.parseYaml(SPEC), "frontend",
                (service, version) -> service.equals("orders")
                        ? List.of(Endpoint.of("127.0.0.1", version.equals("v1") ? 18081 : 18082))
                        : List.of());
    }
}
