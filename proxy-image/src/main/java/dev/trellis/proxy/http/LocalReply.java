package dev.trellis.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;

/**
 * A response the proxy makes itself (no route, overload, upstream failure, bad request). Each
 * kind has a fixed status, a header saying why ({@code x-trellis-error} or
 * {@code x-trellis-overloaded}) and a one-line body, all built once: answering costs no
 * string building. gRPC callers get a trailers-only gRPC response instead (HTTP 200 with
 * {@code grpc-status}), which is what gRPC clients understand.
 */
public enum LocalReply {
    BAD_REQUEST(400, Headers.ERROR, "bad-request", 13),
    SMUGGLING(400, Headers.ERROR, "ambiguous-framing", 13),
    URI_TOO_LONG(414, Headers.ERROR, "uri-too-long", 13),
    HEADERS_TOO_LARGE(431, Headers.ERROR, "headers-too-large", 13),
    NO_ROUTE(404, Headers.ERROR, "no-route", 12),
    FORBIDDEN(403, Headers.ERROR, "forbidden", 7),
    NOT_SUPPORTED(405, Headers.ERROR, "method-not-supported", 12),
    NO_CONFIGURATION(503, Headers.ERROR, "no-configuration", 14),
    NO_HEALTHY_UPSTREAM(503, Headers.ERROR, "no-healthy-upstream", 14),
    UPSTREAM_CONNECT_FAILURE(503, Headers.ERROR, "upstream-connect-failure", 14),
    UPSTREAM_RESET(502, Headers.ERROR, "upstream-reset", 14),
    BAD_UPSTREAM_RESPONSE(502, Headers.ERROR, "bad-upstream-response", 14),
    UPSTREAM_TIMEOUT(504, Headers.ERROR, "upstream-timeout", 4),
    OVERLOADED_MAX_REQUESTS(503, Headers.OVERLOADED, "max-requests", 14),
    OVERLOADED_MAX_PENDING(503, Headers.OVERLOADED, "max-pending-requests", 14),
    OVERLOADED_MAX_CONNECTIONS(503, Headers.OVERLOADED, "max-connections", 14),
    FAULT_ABORT(0, Headers.FAULT, "abort", 14);

    /** Header names of local replies. */
    public static final class Headers {
        public static final AsciiString ERROR = AsciiString.cached("x-trellis-error");
        public static final AsciiString OVERLOADED = AsciiString.cached("x-trellis-overloaded");
        public static final AsciiString FAULT = AsciiString.cached("x-trellis-fault");

        private Headers() {
        }
    }

    private static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
    private static final AsciiString GRPC_MESSAGE = AsciiString.cached("grpc-message");
    private static final AsciiString APPLICATION_GRPC = AsciiString.cached("application/grpc");

    private final int status;
    private final AsciiString header;
    private final AsciiString reason;
    private final AsciiString grpcStatus;
    private final ByteBuf body;

    LocalReply(int status, AsciiString header, String reason, int grpcStatus) {
        this.status = status;
        this.header = header;
        this.reason = AsciiString.cached(reason);
        this.grpcStatus = AsciiString.cached(Integer.toString(grpcStatus));
        this.body = Unpooled.unreleasableBuffer(
                Unpooled.directBuffer(reason.length() + 1).writeBytes((reason + "\n").getBytes(StandardCharsets.US_ASCII)))
                .asReadOnly();
    }

    public int status() {
        return status;
    }

    public AsciiString reason() {
        return reason;
    }

    /** The reply for an HTTP/1.1 or HTTP/2 caller; {@code close} adds {@code connection: close}. */
    public FullHttpResponse toResponse(boolean close) {
        return toResponse(status, close);
    }

    /** The same reply with another status: fault aborts carry the status the route asks for. */
    public FullHttpResponse toResponse(int statusCode, boolean close) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(statusCode), body.duplicate());
        HttpHeaders headers = response.headers();
        headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN);
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        headers.set(header, reason);
        if (close) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }

    /** A trailers-only gRPC response carrying this reply's gRPC status. */
    public FullHttpResponse toGrpcResponse() {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.EMPTY_BUFFER);
        HttpHeaders headers = response.headers();
        headers.set(HttpHeaderNames.CONTENT_TYPE, APPLICATION_GRPC);
        headers.set(GRPC_STATUS, grpcStatus);
        headers.set(GRPC_MESSAGE, reason);
        headers.set(header, reason);
        return response;
    }

    /** Whether a request is a gRPC call (content-type application/grpc or application/grpc+...). */
    public static boolean isGrpc(HttpHeaders requestHeaders) {
        String type = requestHeaders.get(HttpHeaderNames.CONTENT_TYPE);
        return type != null && type.regionMatches(true, 0, "application/grpc", 0, 16);
    }
}
