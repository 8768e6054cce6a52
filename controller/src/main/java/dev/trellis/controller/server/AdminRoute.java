package dev.trellis.controller.server;

import dev.trellis.controller.snapshots.SnapshotFeed;
import dev.trellis.controller.status.StatusReporter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The controller's own admin endpoints: {@code /live} (the process answers), {@code /ready} (a
 * valid spec is loaded and snapshots can be served), {@code /metrics} (Prometheus text) and
 * {@code /v1/status} ({@link dev.trellis.controller.status.StatusReport}).
 */
final class AdminRoute implements Route {

    private static final Set<String> PATHS = Set.of("/live", "/ready", "/metrics", "/v1/status");

    private final SnapshotFeed feed;
    private final StatusReporter status;
    private final PrometheusMeterRegistry prometheus;
    private final Executor blocking;

    AdminRoute(SnapshotFeed feed, StatusReporter status, PrometheusMeterRegistry prometheus, Executor blocking) {
        this.feed = feed;
        this.status = status;
        this.prometheus = prometheus;
        this.blocking = blocking;
    }

    @Override
    public boolean matches(String path) {
        return PATHS.contains(path);
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri, boolean keepAlive) {
        switch (uri.path()) {
            case "/live" -> HttpResponses.send(ctx, keepAlive, HttpResponses.text(HttpResponseStatus.OK, "live"));
            case "/ready" -> HttpResponses.send(ctx, keepAlive, feed.ready()
                    ? HttpResponses.text(HttpResponseStatus.OK, "ready")
                    : HttpResponses.text(HttpResponseStatus.SERVICE_UNAVAILABLE,
                            "spec: none loaded yet (expected: a valid mesh spec)"));
            case "/metrics" -> CompletableFuture.supplyAsync(prometheus::scrape, blocking).whenComplete((text, e) ->
                    ctx.executor().execute(() -> HttpResponses.send(ctx, keepAlive, e != null
                            ? HttpResponses.text(HttpResponseStatus.INTERNAL_SERVER_ERROR, String.valueOf(e))
                            : HttpResponses.of(HttpResponseStatus.OK,
                                    Unpooled.copiedBuffer(text, StandardCharsets.UTF_8),
                                    "text/plain; version=0.0.4; charset=utf-8"))));
            default -> CompletableFuture.supplyAsync(status::report, blocking).whenComplete((report, e) ->
                    ctx.executor().execute(() -> HttpResponses.send(ctx, keepAlive, e != null
                            ? HttpResponses.text(HttpResponseStatus.INTERNAL_SERVER_ERROR, String.valueOf(e))
                            : HttpResponses.json(HttpResponseStatus.OK, report))));
        }
    }
}
