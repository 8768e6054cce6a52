package dev.trellis.proxy.http;

import io.netty.handler.codec.DecoderException;

/** A request whose framing two parsers could read differently; it is refused with 400 and the connection closed. */
public final class RequestSmugglingException extends DecoderException {

    public RequestSmugglingException(String message) {
        super(message);
    }
}
