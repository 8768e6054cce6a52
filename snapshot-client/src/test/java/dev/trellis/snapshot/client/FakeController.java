package dev.trellis.snapshot.client;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.Snapshots;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The controller's side of the protocol, small and on a real loopback socket: answers
 * {@code 304} at once when the proxy holds the current version (no long wait, so tests stay fast),
 * else {@code 200} with the body it was given, which may be deliberately broken.
 */
final class FakeController implements AutoCloseable {

    private final HttpServer server;
    private volatile String body;
    private volatile String etag;
    final AtomicInteger sent = new AtomicInteger();
    final List<String> proxyHeaders = new CopyOnWriteArrayList<>();
    final List<String> ifNoneMatch = new CopyOnWriteArrayList<>();

    private FakeController(HttpServer server) {
        this.server = server;
    }

    static FakeController start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(2));
        FakeController fake = new FakeController(server);
        server.createContext("/v1/snapshots/", fake::handle);
        server.start();
        return fake;
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    void serve(ProxySnapshot snapshot) {
        serveRaw(Snapshots.toJson(snapshot), snapshot.version());
    }

    void serveRaw(String json, String version) {
        this.body = json;
        this.etag = version;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String proxy = exchange.getRequestHeaders().getFirst("X-Trellis-Proxy");
        proxyHeaders.add(proxy);
        String held = exchange.getRequestHeaders().getFirst("If-None-Match");
        ifNoneMatch.add(String.valueOf(held));
        String current = etag;
        if (body == null) {
            exchange.sendResponseHeaders(503, -1);
        } else if (held != null && held.equals("\"" + current + "\"")) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.getResponseHeaders().set("ETag", held);
            exchange.sendResponseHeaders(304, -1);
        } else {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("ETag", "\"" + current + "\"");
            exchange.sendResponseHeaders(200, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
            sent.incrementAndGet();
        }
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
