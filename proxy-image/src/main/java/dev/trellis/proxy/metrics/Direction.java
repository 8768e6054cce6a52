package dev.trellis.proxy.metrics;

/** Which of the proxy's listeners a connection belongs to. */
public enum Direction {
    /** Peers calling the local application through the inbound listener. */
    INBOUND,
    /** The local application calling other services through the outbound listener. */
    OUTBOUND;

    /** The tag value: {@code inbound} or {@code outbound}. */
    public String tagValue() {
        return this == INBOUND ? "inbound" : "outbound";
    }
}
