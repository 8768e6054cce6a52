package dev.trellis.aws;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in AWS JSON-protocol endpoint on a free loopback port: records each request's Host and
 * X-Amz-Target headers and answers with queued responses (then with the default one).
 */
final class RecordingAwsEndpoint implements AutoCloseable {

    record Request(String host, String target) {
    }

    private record Response(int status, String body) {
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Deque<Response> queued = new ArrayDeque<>();
    private final Response fallback;

    RecordingAwsEndpoint(String defaultBody) {
        this.fallback = new Response(200, defaultBody);
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            requests.add(new Request(exchange.getRequestHeaders().getFirst("Host"),
                    exchange.getRequestHeaders().getFirst("X-Amz-Target")));
            Response response;
            synchronized (queued) {
                response = queued.isEmpty() ? fallback : queued.poll();
            }
            byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
            exchange.sendResponseHeaders(response.status(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    /** The next request is answered with this status and JSON body instead of the default. */
    void thenAnswer(int status, String body) {
        synchronized (queued) {
            queued.add(new Response(status, body));
        }
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
