import dev.trellis.snapshot.Endpoint;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.SnapshotCompiler;
import dev.trellis.snapshot.Snapshots;
import dev.trellis.spec.MeshSpec;
import dev.trellis.spec.MeshSpecs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles a mesh spec into one service's proxy snapshot with the project's own compiler, as
 * the controller does, so the benchmark never hand-writes the snapshot format. Run with the
 * proxy jar on the class path (Java's single-file launcher):
 *
 * <pre>java -cp trellis-proxy.jar SnapshotFromSpec.java SPEC.yaml SERVICE OUT.json service/version=host:port...</pre>
 */
public final class SnapshotFromSpec {

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            throw new IllegalArgumentException("arguments: " + List.of(args)
                    + " (expected: SPEC.yaml SERVICE OUT.json service/version=host:port...)");
        }
        MeshSpec spec = MeshSpecs.parseYaml(Files.readString(Path.of(args[0])));
        Map<String, List<Endpoint>> endpoints = new HashMap<>();
        for (int i = 3; i < args.length; i++) {
            String[] keyAndAddress = args[i].split("=", 2);
            int colon = keyAndAddress[1].lastIndexOf(':');
            endpoints.computeIfAbsent(keyAndAddress[0], k -> new ArrayList<>()).add(Endpoint.of(
                    keyAndAddress[1].substring(0, colon), Integer.parseInt(keyAndAddress[1].substring(colon + 1))));
        }
        ProxySnapshot snapshot = SnapshotCompiler.compile(spec, args[1],
                (service, version) -> endpoints.getOrDefault(service + "/" + version, List.of()));
        Files.writeString(Path.of(args[2]), Snapshots.toJson(snapshot));
    }
}
