package dev.trellis.proxy.upstream;

import io.netty.handler.codec.http.HttpObject;

/** Receives what happens on an upstream stream while a request uses it. Called on the stream's event loop. */
public interface UpstreamListener {

    /** A response head, body piece or end; the listener owns it (must write or release it). */
    void onUpstreamMessage(HttpObject message);

    /** The end of one read batch: the moment to flush what was written downstream. */
    void onUpstreamReadComplete();

    void onUpstreamWritabilityChanged(boolean writable);

    /** The stream or connection closed. */
    void onUpstreamClosed();

    void onUpstreamError(Throwable cause);
}
