package dev.trellis.snapshot;

import java.util.List;

/**
 * The listener the local application calls other services through.
 *
 * @param port where the proxy listens
 * @param services every service the application may call, by name and host
 */
public record Outbound(int port, List<VirtualService> services) {
    public Outbound {
        services = services != null ? List.copyOf(services) : List.of();
    }
}
