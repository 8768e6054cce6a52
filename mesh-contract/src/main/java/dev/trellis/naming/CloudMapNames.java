package dev.trellis.naming;

/** Cloud Map names of a mesh: its namespace and the host names callers may use for a service. */
public final class CloudMapNames {

    private CloudMapNames() {
    }

    /** The namespace the CDK constructs create by default, and the local mode pretends to have. */
    public static String namespace(String mesh) {
        return mesh + ".local";
    }

    /** The fully qualified host of a service, e.g. {@code orders.shop.local}. */
    public static String host(String mesh, String service) {
        return service + "." + namespace(mesh);
    }
}
