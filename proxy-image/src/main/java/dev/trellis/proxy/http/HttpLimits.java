package dev.trellis.proxy.http;

/**
 * Size limits of what the proxy accepts from callers and upstreams. A request line over
 * {@code maxInitialLineLength} is refused with 414, headers over {@code maxHeaderSize} with 431.
 *
 * @param maxInitialLineLength bytes of the request or status line
 * @param maxHeaderSize bytes of all header lines together
 * @param maxChunkSize largest body piece handed on at once (bigger chunks are split, never refused)
 * @param retryBufferBytes request body bytes kept so that a try can be replayed; past it, no retry
 */
public record HttpLimits(int maxInitialLineLength, int maxHeaderSize, int maxChunkSize, int retryBufferBytes) {

    public static final HttpLimits DEFAULT = new HttpLimits(8192, 16384, 65536, 65536);

    public HttpLimits {
        requireAtLeast("maxInitialLineLength", maxInitialLineLength, 64);
        requireAtLeast("maxHeaderSize", maxHeaderSize, 256);
        requireAtLeast("maxChunkSize", maxChunkSize, 256);
        requireAtLeast("retryBufferBytes", retryBufferBytes, 0);
    }

    public HttpLimits withMaxHeaderSize(int bytes) {
        return new HttpLimits(maxInitialLineLength, bytes, maxChunkSize, retryBufferBytes);
    }

    public HttpLimits withMaxInitialLineLength(int bytes) {
        return new HttpLimits(bytes, maxHeaderSize, maxChunkSize, retryBufferBytes);
    }

    public HttpLimits withRetryBufferBytes(int bytes) {
        return new HttpLimits(maxInitialLineLength, maxHeaderSize, maxChunkSize, bytes);
    }

    private static void requireAtLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= " + min + ")");
        }
    }
}
