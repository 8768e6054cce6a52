package dev.trellis.eks.webhook;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The webhook over HTTPS: {@code POST /mutate} with an AdmissionReview. A body that is not an
 * AdmissionReview gets 400 with the reason; everything else gets an answer that admits the pod.
 */
public final class WebhookServer implements AutoCloseable {

    public static final String PATH = "/mutate";

    private final HttpsServer server;
    private final ExecutorService executor;

    private WebhookServer(HttpsServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    public static WebhookServer start(InetSocketAddress address, WebhookCertificates certificates,
                                      AdmissionWebhook webhook) throws IOException {
        HttpsServer server = HttpsServer.create(address, 64);
        server.setHttpsConfigurator(new HttpsConfigurator(certificates.serverContext()));
        ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "trellis-webhook");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext(PATH, exchange -> handle(exchange, webhook));
        server.start();
        return new WebhookServer(server, executor);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void handle(HttpExchange exchange, AdmissionWebhook webhook) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                send(exchange, 405, "method: " + exchange.getRequestMethod() + " (expected: POST)");
                return;
            }
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            try {
                exchange.getResponseHeaders().set("content-type", "application/json");
                send(exchange, 200, webhook.review(body));
            } catch (IllegalArgumentException e) {
                exchange.getResponseHeaders().set("content-type", "text/plain");
                send(exchange, 400, e.getMessage());
            }
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
