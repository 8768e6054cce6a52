package dev.trellis.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;

/**
 * Headers that belong to one connection (RFC 9110 7.6.1) and must not be forwarded, and the
 * {@code x-http2-*} headers Netty's HTTP/2-to-HTTP/1 conversion adds. Transfer-Encoding stays:
 * bodies are streamed, so the framing is re-created hop by hop by the codecs.
 */
public final class HopByHopHeaders {

    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    private static final AsciiString STREAM_ID = HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text();
    private static final AsciiString SCHEME = HttpConversionUtil.ExtensionHeaderNames.SCHEME.text();
    private static final AsciiString STREAM_WEIGHT = HttpConversionUtil.ExtensionHeaderNames.STREAM_WEIGHT.text();
    private static final AsciiString STREAM_DEPENDENCY = HttpConversionUtil.ExtensionHeaderNames.STREAM_DEPENDENCY_ID.text();

    private HopByHopHeaders() {
    }

    /** Removes connection-scoped headers in place; cheap when there are none (the usual case). */
    public static void strip(HttpHeaders headers, boolean keepTrailersTe) {
        String connection = headers.get(HttpHeaderNames.CONNECTION);
        if (connection != null) {
            // Headers named by Connection are hop-by-hop too.
            for (String name : connection.split(",")) {
                String trimmed = name.trim();
                if (!trimmed.isEmpty() && !HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(trimmed)) {
                    headers.remove(trimmed);
                }
            }
            headers.remove(HttpHeaderNames.CONNECTION);
        }
        headers.remove(HttpHeaderNames.KEEP_ALIVE);
        headers.remove(PROXY_CONNECTION);
        headers.remove(HttpHeaderNames.UPGRADE);
        String te = headers.get(HttpHeaderNames.TE);
        if (te != null && !(keepTrailersTe && HttpHeaderValues.TRAILERS.contentEqualsIgnoreCase(te.trim()))) {
            headers.remove(HttpHeaderNames.TE);
        }
        if (headers.contains(STREAM_ID)) {
            headers.remove(STREAM_ID);
            headers.remove(SCHEME);
            headers.remove(STREAM_WEIGHT);
            headers.remove(STREAM_DEPENDENCY);
        }
    }
}
