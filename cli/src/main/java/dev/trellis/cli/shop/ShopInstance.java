package dev.trellis.cli.shop;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.trellis.cli.up.LocalTopology;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One instance of an example service: answers on its own port (behind its proxy's inbound
 * listener), sleeps, fails or calls other services through its proxy's outbound listener, as
 * its {@link LocalTopology.Instance} says. Calls address services by name ({@code http://orders/...})
 * with the proxy as HTTP proxy, the way an app with {@code HTTP_PROXY} set does.
 */
public final class ShopInstance implements AutoCloseable {

    private final LocalTopology.Instance behaviour;
    private final String name;
    private final HttpServer server;
    private final HttpClient client;
    private final ExecutorService workers;
    private final AtomicLong served = new AtomicLong();
    private final OutboundProxySelector outbound;
    private volatile double failureRate;

    private ShopInstance(LocalTopology.Instance behaviour, String name, HttpServer server, HttpClient client,
                         ExecutorService workers, OutboundProxySelector outbound) {
        this.outbound = outbound;
        this.behaviour = behaviour;
        this.name = name;
        this.server = server;
        this.client = client;
        this.workers = workers;
        this.failureRate = behaviour.failureRate();
    }

    /**
     * Starts the instance on a free loopback port. Its calls go through the proxy named with
     * {@link #useOutboundProxy}, set once that proxy listens (it needs this instance's port first).
     */
    public static ShopInstance start(LocalTopology.Instance behaviour, String name) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 256);
        ExecutorService workers = Executors.newFixedThreadPool(32, r -> {
            Thread t = new Thread(r, name + "-worker");
            t.setDaemon(true);
            return t;
        });
        OutboundProxySelector outbound = new OutboundProxySelector();
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .proxy(outbound)
                .connectTimeout(Duration.ofSeconds(1))
                // Not the handler pool: handlers block in send(), and the client needs threads of
                // its own to complete those responses, else a busy instance deadlocks itself.
                .build();
        ShopInstance instance = new ShopInstance(behaviour, name, server, client, workers, outbound);
        server.createContext("/", instance::handle);
        server.setExecutor(workers);
        server.start();
        return instance;
    }

    /** Sends this instance's calls through the proxy listening on {@code port}. */
    public void useOutboundProxy(int port) {
        outbound.port = port;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String name() {
        return name;
    }

    public long served() {
        return served.get();
    }

    /** Changes how often this instance fails, e.g. to heal the flaky one. */
    public void failureRate(double rate) {
        this.failureRate = rate;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            drain(exchange.getRequestBody());
            served.incrementAndGet();
            String path = exchange.getRequestURI().getPath();
            if (path.startsWith("/probe/")) {
                probe(exchange);
                return;
            }
            sleep(behaviour.latencyDuration());
            if (failureRate > 0 && ThreadLocalRandom.current().nextDouble() < failureRate) {
                respond(exchange, behaviour.failureStatus(), "{\"instance\":\"" + name + "\",\"failed\":true}");
                return;
            }
            StringBuilder calls = new StringBuilder();
            for (LocalTopology.Call call : behaviour.calls()) {
                HttpResponse<String> response = call(call.method(), call.service(), call.path());
                calls.append(calls.length() == 0 ? "" : ",").append('"').append(call.service()).append("\":")
                        .append(response.statusCode());
                if (response.statusCode() / 100 != 2) {
                    respond(exchange, 502, "{\"instance\":\"" + name + "\",\"failedCall\":\"" + call.service()
                            + "\",\"status\":" + response.statusCode() + "}");
                    return;
                }
            }
            respond(exchange, 200, "{\"instance\":\"" + name + "\",\"service\":\"" + behaviour.service()
                    + "\",\"version\":\"" + behaviour.version() + "\",\"calls\":{" + calls + "}}");
        } catch (IOException | RuntimeException e) {
            respond(exchange, 502, "{\"instance\":\"" + name + "\",\"error\":\"" + e.getClass().getSimpleName() + "\"}");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@code /probe/<service>?method=POST&path=/payments}: one call, its status passed back as is. */
    private void probe(HttpExchange exchange) throws IOException, InterruptedException {
        String target = exchange.getRequestURI().getPath().substring("/probe/".length());
        String method = "GET";
        String path = "/";
        String query = exchange.getRequestURI().getQuery();
        if (query != null) {
            for (String pair : query.split("&")) {
                String[] kv = pair.split("=", 2);
                if (kv.length == 2 && kv[0].equals("method")) {
                    method = kv[1];
                } else if (kv.length == 2 && kv[0].equals("path")) {
                    path = kv[1];
                }
            }
        }
        HttpResponse<String> response = call(method, target, path);
        respond(exchange, response.statusCode(), response.body());
    }

    private HttpResponse<String> call(String method, String service, String path)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + service + path))
                .timeout(Duration.ofSeconds(5))
                .header("x-trellis-caller", name)
                .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString("{\"from\":\"" + name + "\"}"))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("content-type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void drain(InputStream body) throws IOException {
        body.transferTo(OutputStream.nullOutputStream());
    }

    private static void sleep(Duration latency) throws InterruptedException {
        if (!latency.isZero()) {
            Thread.sleep(latency.toMillis());
        }
    }

    /** Every call goes to the instance's outbound proxy, whose port is known only after the proxy starts. */
    private static final class OutboundProxySelector extends ProxySelector {
        private volatile int port;

        @Override
        public java.util.List<java.net.Proxy> select(URI uri) {
            if (port == 0) {
                throw new IllegalStateException("outbound proxy: not set (expected: useOutboundProxy before calls)");
            }
            return java.util.List.of(new java.net.Proxy(java.net.Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", port)));
        }

        @Override
        public void connectFailed(URI uri, java.net.SocketAddress address, IOException failure) {
            // The proxy's own answer (502/503) tells the caller; nothing to remember here.
        }
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
    }
}
