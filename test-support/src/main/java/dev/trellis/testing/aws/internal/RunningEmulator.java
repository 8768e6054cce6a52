package dev.trellis.testing.aws.internal;

import java.net.URI;

/** An emulator process or container that answers AWS API calls at {@link #endpoint()}. */
public interface RunningEmulator extends AutoCloseable {

    /** The base URI every AWS client is pointed at, such as {@code http://127.0.0.1:41234}. */
    URI endpoint();

    /** Stops the emulator; idempotent. */
    @Override
    void close();
}
