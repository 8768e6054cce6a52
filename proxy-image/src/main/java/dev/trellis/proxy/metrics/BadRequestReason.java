package dev.trellis.proxy.metrics;

/** Why the proxy refused or lost a request before it could be routed. */
public enum BadRequestReason {
    /** The request could not be parsed (bad request line, bad header, bad chunk). */
    MALFORMED("malformed"),
    /** The request line or the headers exceeded the proxy's limits. */
    HEADER_TOO_LARGE("header_too_large"),
    /** Ambiguous framing that could smuggle a second request (Content-Length with Transfer-Encoding, ...). */
    SMUGGLING("smuggling"),
    /** The caller reset or closed the connection in the middle of a request. */
    RESET("reset");

    private final String tagValue;

    BadRequestReason(String tagValue) {
        this.tagValue = tagValue;
    }

    /** The {@code reason} tag value. */
    public String tagValue() {
        return tagValue;
    }
}
