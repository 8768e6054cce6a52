package dev.trellis.cli.up;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Samples the local mesh once a second into a {@link MeshStatus}, hands each to the live view,
 * and serves the latest as JSON on {@code GET /status} for {@code trellis status}.
 */
public final class StatusBoard implements AutoCloseable {

    /** Writes and reads {@link MeshStatus}; derived values (success rates) are written, ignored on reading. */
    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "trellis-status");
        t.setDaemon(true);
        return t;
    });
    private final HttpServer server;
    private volatile MeshStatus latest;

    private StatusBoard(HttpServer server) {
        this.server = server;
    }

    public static StatusBoard start(LocalMesh mesh, int port, Consumer<MeshStatus> view) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
        StatusBoard board = new StatusBoard(server);
        server.createContext("/status", exchange -> {
            try (exchange) {
                MeshStatus status = board.latest;
                byte[] body = (status == null ? "{}" : board.json(status)).getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("content-type", "application/json");
                exchange.sendResponseHeaders(status == null ? 503 : 200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        server.start();
        long started = System.nanoTime();
        board.sampler.scheduleAtFixedRate(() -> {
            try {
                MeshStatus status = MeshStatus.collect(mesh, board.latest, (System.nanoTime() - started) / 1e9);
                board.latest = status;
                view.accept(status);
            } catch (RuntimeException e) {
                System.err.println("status: sampling failed: " + e);
            }
        }, 1, 1, TimeUnit.SECONDS);
        return board;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public MeshStatus latest() {
        return latest;
    }

    private String json(MeshStatus status) {
        try {
            return JSON.writeValueAsString(status);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("status could not be written as JSON", e);
        }
    }

    @Override
    public void close() {
        sampler.shutdownNow();
        server.stop(0);
    }
}
