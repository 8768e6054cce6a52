package dev.trellis.eks.inject;

import dev.trellis.eks.annotations.InjectionSettings;
import dev.trellis.naming.MeshPorts;

/** The iptables rules of transparent interception, as one shell script (the App Mesh/Istio scheme). */
final class IptablesScript {

    private IptablesScript() {
    }

    static String rules(InjectionSettings settings) {
        StringBuilder s = new StringBuilder("set -e\n");
        s.append("iptables -t nat -N TRELLIS_IN\n");
        for (int port : settings.excludeInboundPorts()) {
            s.append("iptables -t nat -A TRELLIS_IN -p tcp --dport ").append(port).append(" -j RETURN\n");
        }
        s.append("iptables -t nat -A TRELLIS_IN -p tcp --dport ").append(MeshPorts.ADMIN).append(" -j RETURN\n");
        s.append("iptables -t nat -A TRELLIS_IN -p tcp -j REDIRECT --to-port ").append(MeshPorts.INBOUND).append('\n');
        s.append("iptables -t nat -A PREROUTING -p tcp --dport ").append(settings.appPort()).append(" -j TRELLIS_IN\n");
        s.append("iptables -t nat -N TRELLIS_OUT\n");
        s.append("iptables -t nat -A TRELLIS_OUT -m owner --uid-owner ").append(MeshPorts.PROXY_UID).append(" -j RETURN\n");
        s.append("iptables -t nat -A TRELLIS_OUT -d 127.0.0.1/32 -j RETURN\n");
        for (int port : settings.excludeOutboundPorts()) {
            s.append("iptables -t nat -A TRELLIS_OUT -p tcp --dport ").append(port).append(" -j RETURN\n");
        }
        s.append("iptables -t nat -A TRELLIS_OUT -p tcp -j REDIRECT --to-port ").append(MeshPorts.OUTBOUND).append('\n');
        s.append("iptables -t nat -A OUTPUT -p tcp -j TRELLIS_OUT\n");
        return s.toString();
    }
}
