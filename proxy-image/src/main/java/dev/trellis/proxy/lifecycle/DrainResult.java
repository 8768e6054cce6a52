package dev.trellis.proxy.lifecycle;

import java.time.Duration;

/**
 * How a drain ended.
 *
 * @param clean every connection closed on its own before the drain timeout
 * @param connectionsLeft connections still open at the timeout, closed by force (0 when clean)
 * @param took from the start of the drain to the event loops' stop
 */
public record DrainResult(boolean clean, long connectionsLeft, Duration took) {
}
