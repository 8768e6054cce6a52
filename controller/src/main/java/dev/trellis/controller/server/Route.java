package dev.trellis.controller.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;

/** One feature's requests. A route answers on the event loop, or parks the request and answers later. */
interface Route {

    /** Whether this route serves the path. */
    boolean matches(String path);

    /**
     * Answers the request (with {@link HttpResponses#send}); the request is released by the caller
     * when this returns, so copy what is needed later.
     */
    void handle(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri, boolean keepAlive);
}
