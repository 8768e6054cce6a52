package dev.trellis.hooks.custom;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.trellis.hooks.EventJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stands in for the pre-signed S3 URL of a custom resource request: a loopback HTTP server that
 * keeps every request it gets and answers with the statuses it is given (200 once they run out).
 */
final class ResponseUrlServer implements AutoCloseable {

    /** One request as the server saw it. */
    record Received(String method, String path, String query, String contentType, String body) {
        ObjectNode json() {
            return EventJson.readObject(body);
        }
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedDeque<Integer> statuses = new ConcurrentLinkedDeque<>();

    ResponseUrlServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestURI().getRawQuery(), exchange.getRequestHeaders().getFirst("Content-Type"),
                    new String(body, StandardCharsets.UTF_8)));
            Integer status = statuses.poll();
            exchange.sendResponseHeaders(status == null ? 200 : status, -1);
            exchange.close();
        });
        server.start();
    }

    /** Answers the next requests with these statuses, in order. */
    void answer(Integer... next) {
        statuses.addAll(List.of(next));
    }

    /** A URL shaped like CloudFormation's: the stack, resource and request in the path, a signature in the query. */
    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort()
                + "/arn%3Aaws%3Acloudformation%3Aus-east-1%3A123456789012%3Astack/shop-mesh/5b3d%7CMeshCa%7Creq"
                + "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=0a1b2c3d4e5f");
    }

    List<Received> received() {
        return received;
    }

    Received last() {
        return received.get(received.size() - 1);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
