package dev.trellis.proxy.forward;

/**
 * Fired down an HTTP/1.1 connection's pipeline when the proxy drains: an idle connection closes,
 * a busy one closes after its current response.
 */
public final class DrainEvent {

    public static final DrainEvent INSTANCE = new DrainEvent();

    private DrainEvent() {
    }
}
