package dev.trellis.proxy.upstream;

import io.netty.channel.Channel;

/**
 * One request's way to an upstream host: a pooled HTTP/1.1 connection, or one HTTP/2 stream
 * of a shared connection. Write the request to {@link #channel()}, receive the response through
 * the attached listener, and {@link #release} it exactly once.
 */
public interface UpstreamStream {

    Channel channel();

    /** Routes the stream's events to {@code listener} (null detaches). */
    void attach(UpstreamListener listener);

    /**
     * Gives the stream back. {@code reusable}: the response was read to its end and the request
     * fully sent, so an HTTP/1.1 connection may serve another request; otherwise it is closed
     * (an HTTP/2 stream is reset).
     */
    void release(boolean reusable);

    /** Whether this is an HTTP/2 stream. */
    boolean multiplexed();
}
