package dev.trellis.snapshot;

import dev.trellis.spec.Protocol;
import java.util.List;

/**
 * A mesh service as callers see it through the outbound listener.
 *
 * @param name the service's name
 * @param hosts Host / :authority values (without port) that mean this service
 * @param protocol what callers speak to it
 * @param port the port callers address (the service's port)
 * @param routes in the order they are tried: priority, then spec order
 */
public record VirtualService(String name, List<String> hosts, Protocol protocol, int port, List<Route> routes) {

    public VirtualService {
        hosts = hosts != null ? List.copyOf(hosts) : List.of();
        routes = routes != null ? List.copyOf(routes) : List.of();
    }
}
