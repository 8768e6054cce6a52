package dev.trellis.proxy.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import dev.trellis.proxy.metrics.ProxyMetrics;
import dev.trellis.proxy.outlier.ClusterHealthView;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.Snapshots;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** Answers one admin request from the aggregated HTTP/1.1 request; a handler per connection. */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    static final String JSON = "application/json";
    static final String TEXT = "text/plain; charset=utf-8";
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    /** Durations (time left of an ejection) as ISO-8601, such as {@code PT9.5S}. */
    private static final ObjectMapper JSON_MAPPER = new ObjectMapper()
            .registerModule(new SimpleModule().addSerializer(Duration.class, ToStringSerializer.instance));
    private static final String PATHS = "/ready /live /config /clusters /metrics POST /drain";

    private final Readiness readiness;
    private final Supplier<ProxySnapshot> snapshot;
    private final ClusterHealthView clusterHealth;
    private final ProxyMetrics metrics;
    private final Runnable drain;

    AdminHandler(Readiness readiness, Supplier<ProxySnapshot> snapshot, ClusterHealthView clusterHealth,
            ProxyMetrics metrics, Runnable drain) {
        this.readiness = readiness;
        this.snapshot = snapshot;
        this.clusterHealth = clusterHealth;
        this.metrics = metrics;
        this.drain = drain;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        FullHttpResponse response;
        if (request.decoderResult().isFailure()) {
            response = text(HttpResponseStatus.BAD_REQUEST, "bad request: " + request.decoderResult().cause() + "\n");
            respond(ctx, response, false);
            return;
        }
        try {
            response = answer(request.method(), new QueryStringDecoder(request.uri()).path());
        } catch (RuntimeException e) {
            // A broken view must not take the admin port down with it.
            response = text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "error: " + e + "\n");
        }
        respond(ctx, response, HttpUtil.isKeepAlive(request));
    }

    private FullHttpResponse answer(HttpMethod method, String path) {
        switch (path) {
            case "/ready":
                if (!method.equals(HttpMethod.GET)) {
                    return methodNotAllowed("GET");
                }
                Optional<String> blocker = readiness.blocker();
                return blocker.isEmpty()
                        ? text(HttpResponseStatus.OK, "ready\n")
                        : text(HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready: " + blocker.get() + "\n");
            case "/live":
                return method.equals(HttpMethod.GET) ? text(HttpResponseStatus.OK, "live\n") : methodNotAllowed("GET");
            case "/config":
                if (!method.equals(HttpMethod.GET)) {
                    return methodNotAllowed("GET");
                }
                ProxySnapshot applied = snapshot.get();
                return applied == null
                        ? json(HttpResponseStatus.SERVICE_UNAVAILABLE, "{\"error\":\"no snapshot applied yet\"}")
                        : json(HttpResponseStatus.OK, Snapshots.toJson(applied));
            case "/clusters":
                return method.equals(HttpMethod.GET)
                        ? json(HttpResponseStatus.OK, toJson(Map.of("clusters", clusterHealth.clusters())))
                        : methodNotAllowed("GET");
            case "/metrics":
                return method.equals(HttpMethod.GET)
                        ? response(HttpResponseStatus.OK, PROMETHEUS_TEXT, metrics.scrape())
                        : methodNotAllowed("GET");
            case "/drain":
                if (drain == null) {
                    return notFound(path);
                }
                if (!method.equals(HttpMethod.POST)) {
                    return methodNotAllowed("POST");
                }
                drain.run();
                return text(HttpResponseStatus.ACCEPTED, "draining\n");
            default:
                return notFound(path);
        }
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private static FullHttpResponse notFound(String path) {
        return text(HttpResponseStatus.NOT_FOUND, "path: " + path + " (expected: one of " + PATHS + ")\n");
    }

    private static FullHttpResponse methodNotAllowed(String allowed) {
        FullHttpResponse response = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed (expected: "
                + allowed + ")\n");
        response.headers().set(HttpHeaderNames.ALLOW, allowed);
        return response;
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        return response(status, TEXT, body);
    }

    private static FullHttpResponse json(HttpResponseStatus status, String body) {
        return response(status, JSON, body);
    }

    private static FullHttpResponse response(HttpResponseStatus status, String contentType, String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.UTF_8)));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        return response;
    }

    private static String toJson(Object value) {
        try {
            return JSON_MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("admin JSON could not be written", e);
        }
    }
}
