package dev.trellis.proxy.upstream;

import dev.trellis.proxy.metrics.RejectionReason;

/** How a connection pool answers an acquisition; exactly one method is called, on the pool's event loop. */
public interface StreamCallback {

    void onStream(UpstreamStream stream);

    /** The connection could not be made (refused, timed out, reset during the handshake). */
    void onStreamFailure(Throwable cause);

    /** A circuit-breaker threshold refused it. */
    void onOverloaded(RejectionReason reason);
}
