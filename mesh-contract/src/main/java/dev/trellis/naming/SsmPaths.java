package dev.trellis.naming;

/**
 * Where a mesh spec lives in SSM Parameter Store: one parameter for the mesh's own settings and
 * one per service, so that a service's team changes only its own parameter.
 * <pre>
 * /trellis/shop/mesh                 {"apiVersion":..., "mesh":"shop", "trustDomain":..., "tls":..., "defaultPolicy":...}
 * /trellis/shop/services/orders      {"name":"orders", "port":8080, "routes":[...], ...}
 * </pre>
 */
public final class SsmPaths {
    public static final String ROOT = "/trellis";

    private SsmPaths() {
    }

    /** The path holding every parameter of a mesh. */
    public static String meshRoot(String mesh) {
        return ROOT + "/" + mesh;
    }

    public static String meshSettings(String mesh) {
        return meshRoot(mesh) + "/mesh";
    }

    public static String servicesRoot(String mesh) {
        return meshRoot(mesh) + "/services";
    }

    public static String service(String mesh, String service) {
        return servicesRoot(mesh) + "/" + service;
    }
}
