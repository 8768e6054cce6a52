package dev.trellis.controller.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trellis.controller.registry.InMemoryRegistry;
import dev.trellis.controller.registry.RegisteredInstance;
import dev.trellis.controller.registry.Registry;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The registry API, for local processes ({@code trellis up}) to say where they listen:
 * <ul>
 *   <li>{@code PUT /v1/registry/{service}/instances/{id}} with
 *       {@code {"address": "127.0.0.1", "port": 18081, "version": "v1", "zone": null, "healthy": true}}
 *       ({@code version} defaults to v1, {@code healthy} to true): {@code 201} when new,
 *       {@code 200} when replaced or unchanged; {@code 400} listing every problem.</li>
 *   <li>{@code DELETE /v1/registry/{service}/instances/{id}}: {@code 204}, or {@code 404}.</li>
 *   <li>{@code GET /v1/registry/{service}/instances}: the instances as JSON.</li>
 * </ul>
 * Only the in-memory registry takes writes; with Cloud Map, {@code cloudmap-sync} writes and the
 * API answers {@code 405}.
 */
final class RegistryRoute implements Route {

    private static final String PREFIX = "/v1/registry/";
    private static final Set<String> FIELDS = Set.of("address", "port", "version", "zone", "healthy", "workload");

    private final Registry registry;

    RegistryRoute(Registry registry) {
        this.registry = registry;
    }

    @Override
    public boolean matches(String path) {
        return path.startsWith(PREFIX);
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri, boolean keepAlive) {
        String[] parts = uri.path().substring(PREFIX.length()).split("/", -1);
        HttpMethod method = request.method();
        if (parts.length == 2 && parts[1].equals("instances") && HttpMethod.GET.equals(method)) {
            HttpResponses.send(ctx, keepAlive, HttpResponses.json(HttpResponseStatus.OK,
                    registry.instances(parts[0]).stream().map(RegistryRoute::toJson).toList()));
            return;
        }
        if (parts.length != 3 || !parts[1].equals("instances") || parts[0].isEmpty() || parts[2].isEmpty()) {
            HttpResponses.send(ctx, keepAlive, HttpResponses.text(HttpResponseStatus.NOT_FOUND,
                    "path: " + uri.path() + " (expected: /v1/registry/{service}/instances/{id})"));
            return;
        }
        if (!(registry instanceof InMemoryRegistry memory)) {
            HttpResponses.send(ctx, keepAlive, HttpResponses.text(HttpResponseStatus.METHOD_NOT_ALLOWED,
                    "registry: " + registry.kind() + " (expected: memory; with Cloud Map, cloudmap-sync registers)"));
            return;
        }
        String service = parts[0];
        String id = parts[2];
        if (HttpMethod.PUT.equals(method)) {
            put(ctx, request, keepAlive, memory, service, id);
        } else if (HttpMethod.DELETE.equals(method)) {
            boolean removed = memory.deregister(service, id);
            HttpResponses.send(ctx, keepAlive, removed ? HttpResponses.empty(HttpResponseStatus.NO_CONTENT)
                    : HttpResponses.text(HttpResponseStatus.NOT_FOUND,
                            "instance: " + service + "/" + id + " (expected: a registered instance)"));
        } else {
            HttpResponses.send(ctx, keepAlive, HttpResponses.text(HttpResponseStatus.METHOD_NOT_ALLOWED,
                    "method: " + method + " (expected: PUT or DELETE)"));
        }
    }

    private void put(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive, InMemoryRegistry memory,
            String service, String id) {
        JsonNode body;
        try {
            body = HttpResponses.JSON.readTree(request.content().toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            badRequest(ctx, keepAlive, List.of("body: malformed JSON (expected: {\"address\": ..., \"port\": ...})"));
            return;
        }
        if (body == null || !body.isObject()) {
            badRequest(ctx, keepAlive, List.of("body: " + (body == null ? "empty" : body.getNodeType().toString()
                    .toLowerCase()) + " (expected: a JSON object with address and port)"));
            return;
        }
        List<String> problems = new ArrayList<>();
        body.fieldNames().forEachRemaining(f -> {
            if (!FIELDS.contains(f)) {
                problems.add(f + ": unknown field (expected: one of address, port, version, zone, healthy, workload)");
            }
        });
        String address = text(body, "address", problems);
        JsonNode portNode = body.get("port");
        boolean portIsInt = portNode != null && portNode.isInt();
        if (!portIsInt) {
            problems.add("port: " + portNode + " (expected: 1..65535)");
        }
        int port = portIsInt ? portNode.intValue() : 0;
        String version = text(body, "version", problems);
        String zone = text(body, "zone", problems);
        String workload = text(body, "workload", problems);
        JsonNode healthyNode = body.get("healthy");
        boolean healthy = true;
        if (healthyNode != null && !healthyNode.isNull()) {
            if (!healthyNode.isBoolean()) {
                problems.add("healthy: " + healthyNode + " (expected: true or false)");
            } else {
                healthy = healthyNode.booleanValue();
            }
        }
        // A port that is not a number was reported above; the instance's own checks see the rest.
        problems.addAll(RegisteredInstance.problems(service, id, address, portIsInt ? port : 1, version));
        if (!problems.isEmpty()) {
            badRequest(ctx, keepAlive, problems);
            return;
        }
        boolean existed = memory.instances(service).stream().anyMatch(i -> i.id().equals(id));
        RegisteredInstance instance = new RegisteredInstance(service, id, address, port, version, zone, healthy, workload);
        boolean changed = memory.register(instance);
        Map<String, Object> answer = toJson(instance);
        answer.put("changed", changed);
        HttpResponses.send(ctx, keepAlive, HttpResponses.json(
                existed ? HttpResponseStatus.OK : HttpResponseStatus.CREATED, answer));
    }

    private static String text(JsonNode body, String field, List<String> problems) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            problems.add(field + ": " + node + " (expected: a string)");
            return null;
        }
        return node.textValue();
    }

    private static Map<String, Object> toJson(RegisteredInstance i) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("service", i.service());
        json.put("id", i.id());
        json.put("address", i.address());
        json.put("port", i.port());
        json.put("version", i.version());
        json.put("zone", i.zone());
        json.put("healthy", i.healthy());
        json.put("workload", i.workload());
        return json;
    }

    private static void badRequest(ChannelHandlerContext ctx, boolean keepAlive, List<String> problems) {
        HttpResponses.send(ctx, keepAlive, HttpResponses.json(HttpResponseStatus.BAD_REQUEST,
                Map.of("problems", problems)));
    }
}
