package dev.trellis.cli;

import dev.trellis.cli.up.LiveView;
import dev.trellis.cli.up.LocalMesh;
import dev.trellis.cli.up.LocalTopology;
import dev.trellis.cli.up.StatusBoard;
import dev.trellis.spec.MeshSpecs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code trellis up SPEC}: runs the spec as a local mesh with a live view, until Ctrl-C. */
@Command(name = "up", description = {
        "Run a local mesh from a spec file: the controller, a proxy beside every instance of the",
        "example services, and constant traffic, with a live view per route and version.",
        "Instances and traffic come from local.yaml beside the spec (else one instance per version)."})
final class UpCommand implements Callable<Integer> {

    @Parameters(paramLabel = "SPEC", description = "The mesh spec (YAML or JSON); edits apply while it runs.")
    Path spec;

    @Option(names = "--status-port", defaultValue = "9900",
            description = "Where `trellis status` reads the mesh (default: ${DEFAULT-VALUE}).")
    int statusPort;

    @Option(names = "--duration", description = "Stop by itself after this many seconds (default: run until Ctrl-C).")
    Long durationSeconds;

    @Option(names = "--aws-endpoint", paramLabel = "<url>",
            description = "Register instances in Cloud Map on this AWS API emulator (e.g. a moto server) instead of the controller's memory.")
    java.net.URI awsEndpoint;

    @Option(names = "--plain", description = "Print a summary line every few seconds instead of redrawing the screen.")
    boolean plain;

    @Override
    public Integer call() throws Exception {
        LocalTopology topology = LocalTopology.forSpec(spec, MeshSpecs.read(spec));
        System.out.println("Starting the local mesh of " + spec + " ...");
        LocalMesh mesh = LocalMesh.start(spec, topology, awsEndpoint);
        boolean terminal = !plain && System.console() != null;
        StatusBoard board = StatusBoard.start(mesh, statusPort, new LiveView(System.out, terminal));
        System.out.println("Mesh '" + mesh.mesh() + "' is up: controller " + mesh.controller().uri()
                + ", " + mesh.instances().size() + " instances, status on http://127.0.0.1:" + board.port() + "/status");
        CountDownLatch stopped = new CountDownLatch(1);
        Thread shutdown = new Thread(() -> {
            board.close();
            mesh.close();
            stopped.countDown();
        }, "trellis-up-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdown);
        if (durationSeconds != null) {
            if (!stopped.await(durationSeconds, TimeUnit.SECONDS)) {
                Runtime.getRuntime().removeShutdownHook(shutdown);
                shutdown.run();
            }
        } else {
            stopped.await();
        }
        System.out.println("Stopped.");
        return 0;
    }

    static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }
}
