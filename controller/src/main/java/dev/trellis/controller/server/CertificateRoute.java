package dev.trellis.controller.server;

import dev.trellis.ca.authority.CertificateAuthorityService;
import dev.trellis.ca.authority.HttpReply;
import dev.trellis.ca.authority.MeshCa;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The mesh CA's endpoints: {@code POST /v1/certificates} (a CSR and an identity proof in, a
 * certificate chain out; see mesh-ca's {@link CertificateAuthorityService}) and
 * {@code GET /v1/trust-bundle} (the PEM roots every proxy trusts). Issuing blocks while the proof
 * is checked (STS, the Kubernetes API), so it runs off the event loop.
 */
final class CertificateRoute implements Route {

    private static final String ISSUE = "/v1/certificates";
    private static final String TRUST_BUNDLE = "/v1/trust-bundle";

    private final CertificateAuthorityService service;
    private final MeshCa authority;
    private final Executor blocking;

    CertificateRoute(CertificateAuthorityService service, MeshCa authority, Executor blocking) {
        this.service = service;
        this.authority = authority;
        this.blocking = blocking;
    }

    @Override
    public boolean matches(String path) {
        return path.equals(ISSUE) || path.equals(TRUST_BUNDLE);
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri, boolean keepAlive) {
        if (uri.path().equals(TRUST_BUNDLE)) {
            if (!HttpMethod.GET.equals(request.method())) {
                HttpResponses.send(ctx, keepAlive, HttpResponses.text(HttpResponseStatus.METHOD_NOT_ALLOWED,
                        "method: " + request.method() + " (expected: GET)"));
                return;
            }
            HttpResponses.send(ctx, keepAlive, HttpResponses.of(HttpResponseStatus.OK,
                    Unpooled.copiedBuffer(authority.trustBundlePem(), StandardCharsets.US_ASCII), "application/x-pem-file"));
            return;
        }
        if (!HttpMethod.POST.equals(request.method())) {
            HttpResponses.send(ctx, keepAlive, HttpResponses.text(HttpResponseStatus.METHOD_NOT_ALLOWED,
                    "method: " + request.method() + " (expected: POST)"));
            return;
        }
        byte[] body = ByteBufUtil.getBytes(request.content());
        CompletableFuture.supplyAsync(() -> service.handle(body), blocking).whenComplete((reply, error) ->
                ctx.executor().execute(() -> HttpResponses.send(ctx, keepAlive, error != null
                        ? HttpResponses.text(HttpResponseStatus.INTERNAL_SERVER_ERROR, String.valueOf(error))
                        : toResponse(reply))));
    }

    private static io.netty.handler.codec.http.FullHttpResponse toResponse(HttpReply reply) {
        return HttpResponses.of(HttpResponseStatus.valueOf(reply.status()), Unpooled.wrappedBuffer(reply.body()),
                reply.contentType());
    }
}
