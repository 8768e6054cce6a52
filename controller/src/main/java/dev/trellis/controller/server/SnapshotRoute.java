package dev.trellis.controller.server;

import dev.trellis.controller.snapshots.SealedSnapshot;
import dev.trellis.controller.snapshots.SnapshotFeed;
import dev.trellis.controller.snapshots.Watch;
import dev.trellis.controller.status.ProxyTracker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.util.List;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /v1/snapshots/{service}}, by long-poll. With {@code If-None-Match: "<version>"} and
 * {@code Prefer: wait=<seconds>} (default {@value #DEFAULT_WAIT}, at most {@value #MAX_WAIT}), the
 * request is parked, holding no thread, until the service's snapshot has another version
 * ({@code 200}, body and {@code ETag}) or the wait ends ({@code 304}). An unknown service is a
 * {@code 404} naming the services there are; before a valid spec is loaded, {@code 503}.
 */
final class SnapshotRoute implements Route {

    static final int DEFAULT_WAIT = 30;
    static final int MAX_WAIT = 60;
    static final String PROXY_HEADER = "X-Trellis-Proxy";

    private static final String PREFIX = "/v1/snapshots/";
    private static final Pattern WAIT = Pattern.compile("(?:^|[,;\\s])wait\\s*=\\s*(\\d+)");

    private final SnapshotFeed feed;
    private final ProxyTracker proxies;
    private final Counter sent;
    private final Counter notModified;
    private final Counter notFound;

    SnapshotRoute(SnapshotFeed feed, ProxyTracker proxies, MeterRegistry meters) {
        this.feed = feed;
        this.proxies = proxies;
        this.sent = Counter.builder("trellis.snapshots.responses").tag("status", "200").register(meters);
        this.notModified = Counter.builder("trellis.snapshots.responses").tag("status", "304").register(meters);
        this.notFound = Counter.builder("trellis.snapshots.responses").tag("status", "404").register(meters);
    }

    @Override
    public boolean matches(String path) {
        return path.startsWith(PREFIX);
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri, boolean keepAlive) {
        if (!HttpMethod.GET.equals(request.method())) {
            HttpResponses.send(ctx, keepAlive, HttpResponses.text(HttpResponseStatus.METHOD_NOT_ALLOWED,
                    "method: " + request.method() + " (expected: GET)"));
            return;
        }
        String service = uri.path().substring(PREFIX.length());
        if (!feed.ready()) {
            HttpResponses.send(ctx, keepAlive, HttpResponses.text(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "spec: none loaded yet (expected: a valid mesh spec; see the controller's log)"));
            return;
        }
        List<String> services = feed.services();
        if (!services.contains(service)) {
            notFound.increment();
            HttpResponses.send(ctx, keepAlive, HttpResponses.text(HttpResponseStatus.NOT_FOUND,
                    "service: " + service + " (expected: one of " + String.join(", ", services) + ")"));
            return;
        }
        String held = etag(request.headers().get(HttpHeaderNames.IF_NONE_MATCH));
        int wait = waitSeconds(request.headers().getAll("Prefer"));
        String proxyId = request.headers().get(PROXY_HEADER);
        String address = ctx.channel().remoteAddress() instanceof InetSocketAddress a
                ? a.getAddress().getHostAddress() : String.valueOf(ctx.channel().remoteAddress());
        if (proxyId != null) {
            proxies.waiting(proxyId, service, address);
        }
        if (wait == 0 || held == null) {
            feed.current(service).whenComplete((snapshot, error) -> ctx.executor().execute(() ->
                    respond(ctx, keepAlive, service, held, proxyId, address, snapshot)));
            return;
        }
        new ParkedPoll(ctx, keepAlive, service, held, proxyId, address).park(wait);
    }

    /**
     * A request parked until its service's snapshot changes or its wait ends: a watch, a timer
     * and a close listener on the connection, all undone by whichever comes first.
     */
    private final class ParkedPoll implements GenericFutureListener<Future<? super Void>> {
        private final ChannelHandlerContext ctx;
        private final boolean keepAlive;
        private final String service;
        private final String held;
        private final String proxyId;
        private final String address;
        private Watch watch;
        private ScheduledFuture<?> timeout;

        ParkedPoll(ChannelHandlerContext ctx, boolean keepAlive, String service, String held, String proxyId,
                String address) {
            this.ctx = ctx;
            this.keepAlive = keepAlive;
            this.service = service;
            this.held = held;
            this.proxyId = proxyId;
            this.address = address;
        }

        /** Runs on the event loop, so the callbacks below (also on it) see every field set. */
        void park(int waitSeconds) {
            timeout = ctx.executor().schedule(() -> {
                if (watch.cancel()) {
                    finish(null);
                }
            }, waitSeconds, TimeUnit.SECONDS);
            watch = feed.watch(service, held, snapshot -> ctx.executor().execute(() -> finish(snapshot)));
            // Last: on a connection already closed, this runs at once and needs the two above.
            ctx.channel().closeFuture().addListener(this);
        }

        private void finish(SealedSnapshot snapshot) {
            timeout.cancel(false);
            ctx.channel().closeFuture().removeListener(this);
            respond(ctx, keepAlive, service, held, proxyId, address, snapshot);
        }

        /** The connection closed while parked. */
        @Override
        public void operationComplete(Future<? super Void> future) {
            timeout.cancel(false);
            if (watch.cancel() && proxyId != null) {
                proxies.released(proxyId);
            }
        }
    }

    /** Answers on the event loop: 200 with the snapshot, 304 when it is the held one (or none came), 404 if the service left. */
    private void respond(ChannelHandlerContext ctx, boolean keepAlive, String service, String held, String proxyId,
            String address, SealedSnapshot snapshot) {
        FullHttpResponse response;
        if (snapshot == null && held != null && feed.services().contains(service)) {
            notModified.increment();
            response = notModified(held);
            if (proxyId != null) {
                proxies.holds(proxyId, service, address, held);
            }
        } else if (snapshot == null) {
            notFound.increment();
            response = HttpResponses.text(HttpResponseStatus.NOT_FOUND,
                    "service: " + service + " (expected: one of " + String.join(", ", feed.services()) + ")");
        } else if (snapshot.version().equals(held)) {
            notModified.increment();
            response = notModified(held);
            if (proxyId != null) {
                proxies.holds(proxyId, service, address, held);
            }
        } else {
            sent.increment();
            response = HttpResponses.of(HttpResponseStatus.OK, Unpooled.wrappedBuffer(snapshot.bodyParts()),
                    HttpHeaderValues.APPLICATION_JSON);
            response.headers().set(HttpHeaderNames.ETAG, "\"" + snapshot.version() + "\"");
            response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
            if (proxyId != null) {
                proxies.holds(proxyId, service, address, snapshot.version());
            }
        }
        HttpResponses.send(ctx, keepAlive, response);
    }

    private static FullHttpResponse notModified(String held) {
        FullHttpResponse response = HttpResponses.empty(HttpResponseStatus.NOT_MODIFIED);
        response.headers().set(HttpHeaderNames.ETAG, "\"" + held + "\"");
        return response;
    }

    /** The version in {@code If-None-Match}: {@code "v"} or {@code W/"v"}; null if absent. */
    static String etag(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String value = header.strip();
        if (value.startsWith("W/")) {
            value = value.substring(2);
        }
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
        }
        return value.isEmpty() ? null : value;
    }

    /** Seconds from {@code Prefer: wait=N}, default {@value #DEFAULT_WAIT}, capped at {@value #MAX_WAIT}. */
    static int waitSeconds(List<String> prefer) {
        for (String header : prefer) {
            Matcher m = WAIT.matcher(header);
            if (m.find()) {
                try {
                    return Math.min(MAX_WAIT, Integer.parseInt(m.group(1)));
                } catch (NumberFormatException e) {
                    return MAX_WAIT;
                }
            }
        }
        return DEFAULT_WAIT;
    }
}
