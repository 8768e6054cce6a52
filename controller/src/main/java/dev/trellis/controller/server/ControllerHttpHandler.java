package dev.trellis.controller.server;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Sends each request to the first route that serves its path; {@code 404} otherwise. Stateless, so shared. */
@ChannelHandler.Sharable
final class ControllerHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(ControllerHttpHandler.class);

    private final List<Route> routes;

    ControllerHttpHandler(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!request.decoderResult().isSuccess()) {
            HttpResponses.send(ctx, false, HttpResponses.text(HttpResponseStatus.BAD_REQUEST,
                    "request: malformed (expected: HTTP/1.1)"));
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        for (Route route : routes) {
            if (route.matches(uri.path())) {
                route.handle(ctx, request, uri, keepAlive);
                return;
            }
        }
        HttpResponses.send(ctx, keepAlive, HttpResponses.text(HttpResponseStatus.NOT_FOUND, "path: " + uri.path()
                + " (expected: /v1/snapshots/{service}, /v1/registry/{service}/instances/{id}, /v1/status,"
                + " /ready, /live or /metrics)"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("event=http.connection.error remote={} error=\"{}\"", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
