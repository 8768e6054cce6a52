package dev.trellis.proxy.startup;

import dev.trellis.proxy.Main;
import dev.trellis.snapshot.Endpoint;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.SnapshotCompiler;
import dev.trellis.snapshot.Snapshots;
import dev.trellis.spec.MeshSpecs;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * The training run behind the proxy's class-data sharing archive. Run with
 * {@code -XX:ArchiveClassesAtExit=<archive>} and the image's JVM flags (the image build and the
 * Maven {@code package} phase both do); the proxy then starts with
 * {@code -XX:SharedArchiveFile=<archive>} and finds the classes of its start-up and of its first
 * requests already parsed and verified, instead of reading them from a 50 MB jar.
 *
 * <p>It goes through the real path, not a list of class names that would age: {@link Main}
 * with a snapshot file on loopback ports, {@code /ready}, requests through the outbound listener
 * to a local upstream, a metrics scrape, then {@code POST /drain} so the proxy exits as it
 * would on SIGTERM. Any failure exits non-zero, which fails the build rather than shipping an
 * archive of a proxy that did not start.
 */
public final class ClassDataSharingTraining {

    private static final String SERVICE = "training";
    private static final long STEP_TIMEOUT_MILLIS = TimeUnit.SECONDS.toMillis(60);

    private ClassDataSharingTraining() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("trellis-cds-training");
        Path snapshot = dir.resolve("snapshot.json");
        try (TrainingUpstream upstream = TrainingUpstream.start()) {
            Files.writeString(snapshot, Snapshots.toJson(snapshot(upstream.port())));
            int admin = freePort();
            int outbound = freePort();
            int inbound = freePort();
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> new CommandLine(new Main()).execute(
                    "--snapshot", snapshot.toString(), "--bind", "127.0.0.1", "--admin-bind", "127.0.0.1",
                    "--admin-port", String.valueOf(admin), "--outbound-port", String.valueOf(outbound),
                    "--inbound-port", String.valueOf(inbound), "--drain-timeout", "5s"));
            awaitReady(admin, exit);
            for (int i = 0; i < 3; i++) {
                expectStatus("outbound request " + i, outbound,
                        "GET /training HTTP/1.1\r\nHost: " + SERVICE + "\r\nConnection: close\r\n\r\n", 200);
            }
            expectStatus("GET /metrics", admin, "GET /metrics HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n", 200);
            expectStatus("POST /drain", admin,
                    "POST /drain HTTP/1.1\r\nHost: admin\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 202);
            int status = exit.get(STEP_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
            if (status != 0) {
                throw new IllegalStateException("proxy exit status: " + status + " (expected: 0 after POST /drain)");
            }
        } finally {
            Files.deleteIfExists(snapshot);
            Files.deleteIfExists(dir);
        }
    }

    /** A mesh with one service, "training", whose only endpoint is the local upstream. */
    private static ProxySnapshot snapshot(int upstreamPort) {
        String spec = "apiVersion: trellis.dev/v1\nmesh: training\nservices:\n"
                + "  - name: app\n    port: 18080\n"
                + "  - name: " + SERVICE + "\n    port: 80\n";
        return SnapshotCompiler.compile(MeshSpecs.parseYaml(spec), "app", (service, version) -> service.equals(SERVICE)
                ? List.of(Endpoint.of("127.0.0.1", upstreamPort)) : List.of());
    }

    private static void awaitReady(int adminPort, CompletableFuture<Integer> exit) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STEP_TIMEOUT_MILLIS);
        while (System.nanoTime() - deadline < 0) {
            if (exit.isDone()) {
                throw new IllegalStateException("proxy exit status: " + exit.get() + " (expected: running until ready)");
            }
            try {
                if (status(adminPort, "GET /ready HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n") == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // the admin port is not bound yet
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("/ready: no 200 within " + STEP_TIMEOUT_MILLIS + " ms (expected: ready)");
    }

    private static void expectStatus(String step, int port, String request, int expected) throws IOException {
        int status = status(port, request);
        if (status != expected) {
            throw new IllegalStateException(step + ": status " + status + " (expected: " + expected + ")");
        }
    }

    /** Sends one request on a new connection and reads the status of the answer. */
    private static int status(int port, String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            socket.setSoTimeout((int) STEP_TIMEOUT_MILLIS);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            if (!response.startsWith("HTTP/1.1 ") || response.length() < 12) {
                throw new IOException("response: " + response.lines().findFirst().orElse("") + " (expected: HTTP/1.1 status line)");
            }
            return Integer.parseInt(response.substring(9, 12));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** An HTTP/1.1 upstream on loopback answering every request with 200 and keeping connections open. */
    private static final class TrainingUpstream implements AutoCloseable {

        private static final byte[] ANSWER = ("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nok")
                .getBytes(StandardCharsets.US_ASCII);
        /** CR LF CR LF, the end of a request head. */
        private static final int END_OF_HEAD = 0x0d0a0d0a;

        private final ServerSocket server;

        private TrainingUpstream(ServerSocket server) {
            this.server = server;
        }

        static TrainingUpstream start() throws IOException {
            TrainingUpstream upstream = new TrainingUpstream(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
            Thread acceptor = new Thread(upstream::accept, "training-upstream");
            acceptor.setDaemon(true);
            acceptor.start();
            return upstream;
        }

        int port() {
            return server.getLocalPort();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket connection = server.accept();
                    Thread handler = new Thread(() -> answer(connection), "training-upstream-connection");
                    handler.setDaemon(true);
                    handler.start();
                } catch (SocketException closed) {
                    return;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }

        /** Answers each request head (GETs without a body) until the proxy closes the connection. */
        private static void answer(Socket connection) {
            try (connection; InputStream in = new BufferedInputStream(connection.getInputStream());
                    OutputStream out = connection.getOutputStream()) {
                int lastFour = 0;
                int b;
                while ((b = in.read()) >= 0) {
                    lastFour = (lastFour << 8) | b;
                    if (lastFour == END_OF_HEAD) {
                        out.write(ANSWER);
                        out.flush();
                        lastFour = 0;
                    }
                }
            } catch (IOException closedByTheProxy) {
                // the proxy closed its pooled connection: the end of this conversation
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
