package dev.trellis.spec;

import java.util.List;
import java.util.Optional;

/**
 * The whole document of a mesh, as users write it in YAML or JSON and as the CDK constructs
 * store it in SSM. Read it with {@link MeshSpecs}, which validates it.
 *
 * @param apiVersion the document's schema version, {@value #API_VERSION}
 * @param mesh the mesh's name
 * @param trustDomain the SPIFFE trust domain of every identity in the mesh
 * @param tls the TLS mode of every service that sets none
 * @param defaultPolicy who may call a service that lists no allowed callers
 * @param services the services of the mesh
 */
public record MeshSpec(
        String apiVersion,
        String mesh,
        String trustDomain,
        TlsMode tls,
        DefaultPolicy defaultPolicy,
        List<ServiceSpec> services) {

    public static final String API_VERSION = "trellis.dev/v1";

    public MeshSpec {
        apiVersion = apiVersion != null ? apiVersion : API_VERSION;
        trustDomain = trustDomain != null ? trustDomain : (mesh != null ? mesh + ".trellis.local" : null);
        tls = tls != null ? tls : TlsMode.PERMISSIVE;
        defaultPolicy = defaultPolicy != null ? defaultPolicy : DefaultPolicy.ALLOW;
        services = services != null ? List.copyOf(services) : List.of();
    }

    public static MeshSpec of(String mesh, List<ServiceSpec> services) {
        return new MeshSpec(null, mesh, null, null, null, services);
    }

    public Optional<ServiceSpec> service(String name) {
        return services.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** A copy with one service replaced (or added when absent), keeping the order of the others. */
    public MeshSpec withService(ServiceSpec service) {
        List<ServiceSpec> updated = new java.util.ArrayList<>(services);
        int at = -1;
        for (int i = 0; i < updated.size(); i++) {
            if (updated.get(i).name().equals(service.name())) {
                at = i;
            }
        }
        if (at >= 0) {
            updated.set(at, service);
        } else {
            updated.add(service);
        }
        return new MeshSpec(apiVersion, mesh, trustDomain, tls, defaultPolicy, updated);
    }
}
