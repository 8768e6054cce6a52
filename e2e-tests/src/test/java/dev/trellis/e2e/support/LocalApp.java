package dev.trellis.e2e.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The application beside a proxy, on 127.0.0.1 and a free port: either it answers every request
 * with its own name ({@link #answering}), or it calls another mesh service through its proxy's
 * outbound listener and answers with what came back ({@link #calling}), as an app does that
 * uses the proxy as its HTTP proxy.
 */
public final class LocalApp implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService workers;

    private LocalApp(HttpServer server, ExecutorService workers) {
        this.server = server;
        this.workers = workers;
    }

    /** An app that answers {@code 200} with {@code name} as the body. */
    public static LocalApp answering(String name) throws IOException {
        return start(exchange -> reply(exchange, 200, name));
    }

    /**
     * An app that forwards every request's path to {@code http://<service><path>} through the
     * proxy's outbound listener at {@code 127.0.0.1:outboundPort}, and answers with the upstream's
     * status and body ({@code 599} when the call itself failed).
     */
    public static LocalApp calling(String service, int outboundPort) throws IOException {
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .proxy(ProxySelector.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), outboundPort)))
                .connectTimeout(Duration.ofSeconds(2))
                .build();
        return start(exchange -> {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + service + exchange.getRequestURI()))
                    .timeout(Duration.ofSeconds(10)).GET().build();
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                reply(exchange, response.statusCode(), response.body());
            } catch (IOException e) {
                reply(exchange, 599, "call to " + service + " failed: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reply(exchange, 599, "interrupted");
            }
        });
    }

    private interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    private static LocalApp start(Handler handler) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        ExecutorService workers = Executors.newFixedThreadPool(32, r -> {
            Thread t = new Thread(r, "local-app");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(workers);
        server.createContext("/", exchange -> {
            try (exchange; InputStream body = exchange.getRequestBody()) {
                body.readAllBytes();
                handler.handle(exchange);
            }
        });
        server.start();
        return new LocalApp(server, workers);
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The port it listens on, on 127.0.0.1. */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }
}
