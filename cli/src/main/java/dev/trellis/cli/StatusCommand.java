package dev.trellis.cli;

import dev.trellis.cli.up.LiveView;
import dev.trellis.cli.up.MeshStatus;
import dev.trellis.cli.up.StatusBoard;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code trellis status}: the running local mesh's services, instances, snapshots and traffic. */
@Command(name = "status", description = "Show the running local mesh: routes and versions, instances, the snapshot each proxy holds.")
final class StatusCommand implements Callable<Integer> {

    @Option(names = "--json", description = "Print the machine-readable status.")
    boolean json;

    @Option(names = "--status-port", defaultValue = "9900", description = "The port `trellis up` serves status on (default: ${DEFAULT-VALUE}).")
    int statusPort;

    @Spec
    CommandSpec command;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        URI uri = URI.create("http://127.0.0.1:" + statusPort + "/status");
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                err.println("status: " + uri + " answered " + response.statusCode() + " (expected: 200 once the mesh has run a second)");
                return 1;
            }
            if (json) {
                out.println(response.body());
            } else {
                out.print(LiveView.render(StatusBoard.JSON.readValue(response.body(), MeshStatus.class)));
            }
            out.flush();
            return 0;
        } catch (ConnectException e) {
            err.println("status: nothing listens on " + uri + " (expected: a running `trellis up`)");
            err.flush();
            return 1;
        } catch (IOException e) {
            err.println("status: " + uri + " failed: " + e.getMessage());
            err.flush();
            return 1;
        }
    }
}
