package dev.trellis.proxy.tcp;

import java.net.InetSocketAddress;
import java.util.Optional;

/** Picks the host a new TCP connection is relayed to; the data plane's load balancer implements it. */
@FunctionalInterface
public interface UpstreamPicker {

    /** A host to connect to, or empty when the cluster has none available now. */
    Optional<InetSocketAddress> pick();

    /** Always the same host. */
    static UpstreamPicker fixed(InetSocketAddress address) {
        Optional<InetSocketAddress> only = Optional.of(address);
        return () -> only;
    }
}
