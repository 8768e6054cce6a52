package dev.trellis.eks.annotations;

import java.util.List;

/**
 * What the injector does to one pod, read from its annotations and labels and checked.
 *
 * @param service the mesh service
 * @param version its version
 * @param appPort where the application listens
 * @param interception transparent or explicit
 * @param excludeOutboundPorts outbound ports that bypass the proxy
 * @param excludeInboundPorts inbound ports that bypass the proxy
 * @param proxyCpu CPU request of the sidecar
 * @param proxyMemory memory request and limit of the sidecar
 */
public record InjectionSettings(
        String service,
        String version,
        int appPort,
        Interception interception,
        List<Integer> excludeOutboundPorts,
        List<Integer> excludeInboundPorts,
        String proxyCpu,
        String proxyMemory) {

    public InjectionSettings {
        excludeOutboundPorts = List.copyOf(excludeOutboundPorts);
        excludeInboundPorts = List.copyOf(excludeInboundPorts);
    }
}
