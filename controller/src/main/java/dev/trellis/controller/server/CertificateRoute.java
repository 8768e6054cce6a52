package dev.trellis.controller.server;

import dev.trellis.ca.authority.CertificateAuthorityService;
import dev.trellis.ca.authority.HttpReply;
import dev.trellis.ca.authority.MeshCa;
import dev.trellis.ca.authority.RevocationService;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.CRLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The mesh CA's endpoints: {@code POST /v1/certificates} (a CSR and an identity proof in, a
 * certificate chain out; see mesh-ca's {@link CertificateAuthorityService}),
 * {@code GET /v1/trust-bundle} (the PEM roots every proxy trusts), {@code GET /v1/crl} (the CRL,
 * DER, what leaves name as their CRL distribution point and proxies fetch) and
 * {@code POST /v1/revocations} (admin token only, see {@link RevocationService}; 403 when the
 * controller has no admin token). Issuing blocks while the proof is checked (STS, the Kubernetes
 * API), revoking while the store is written, so both run off the event loop.
 */
final class CertificateRoute implements Route {

    private static final String ISSUE = "/v1/certificates";
    private static final String TRUST_BUNDLE = "/v1/trust-bundle";
    private static final String CRL = MeshCa.CRL_PATH;
    private static final String REVOCATIONS = RevocationService.PATH;

    private final CertificateAuthorityService service;
    private final MeshCa authority;
    private final RevocationService revocations;
    private final Executor blocking;

    /** {@code revocations} null: no admin token, revocations are refused. */
    CertificateRoute(CertificateAuthorityService service, MeshCa authority, RevocationService revocations, Executor blocking) {
        this.service = service;
        this.authority = authority;
        this.revocations = revocations;
        this.blocking = blocking;
    }

    @Override
    public boolean matches(String path) {
        return path.equals(ISSUE) || path.equals(TRUST_BUNDLE) || path.equals(CRL) || path.equals(REVOCATIONS);
    }

    @Override
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri, boolean keepAlive) {
        if (uri.path().equals(CRL)) {
            if (!HttpMethod.GET.equals(request.method())) {
                HttpResponses.send(ctx, keepAlive, HttpResponses.text(HttpResponseStatus.METHOD_NOT_ALLOWED,
                        "method: " + request.method() + " (expected: GET)"));
                return;
            }
            // Re-signed at most every half CRL lifetime or after a revocation: off the event loop (KMS may sign).
            CompletableFuture.supplyAsync(() -> {
                try {
                    return authority.revocationList().getEncoded();
                } catch (CRLException e) {
                    throw new IllegalStateException("encoding the CRL failed", e);
                }
            }, blocking).whenComplete((der, error) -> ctx.executor().execute(() -> HttpResponses.send(ctx, keepAlive,
                    error != null ? HttpResponses.text(HttpResponseStatus.INTERNAL_SERVER_ERROR, String.valueOf(error))
                            : HttpResponses.of(HttpResponseStatus.OK, Unpooled.wrappedBuffer(der), "application/pkix-crl"))));
            return;
        }
        if (uri.path().equals(REVOCATIONS)) {
            if (!HttpMethod.POST.equals(request.method())) {
                HttpResponses.send(ctx, keepAlive, HttpResponses.text(HttpResponseStatus.METHOD_NOT_ALLOWED,
                        "method: " + request.method() + " (expected: POST)"));
                return;
            }
            if (revocations == null) {
                HttpResponses.send(ctx, keepAlive, HttpResponses.text(HttpResponseStatus.FORBIDDEN,
                        "admin token: none configured (expected: the controller started with --admin-token to accept revocations)"));
                return;
            }
            String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
            byte[] revocation = ByteBufUtil.getBytes(request.content());
            CompletableFuture.supplyAsync(() -> revocations.handle(authorization, revocation), blocking).whenComplete((reply, error) ->
                    ctx.executor().execute(() -> HttpResponses.send(ctx, keepAlive, error != null
                            ? HttpResponses.text(HttpResponseStatus.INTERNAL_SERVER_ERROR, String.valueOf(error))
                            : toResponse(reply))));
            return;
        }
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
        io.netty.handler.codec.http.FullHttpResponse response = HttpResponses.of(HttpResponseStatus.valueOf(reply.status()),
                Unpooled.wrappedBuffer(reply.body()), reply.contentType());
        if (reply.status() == 401) {
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"trellis-controller\"");
        }
        return response;
    }
}
