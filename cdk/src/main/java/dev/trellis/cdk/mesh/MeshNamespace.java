package dev.trellis.cdk.mesh;

import dev.trellis.naming.CloudMapNames;
import java.util.Optional;
import software.amazon.awscdk.services.ec2.IVpc;
import software.amazon.awscdk.services.servicediscovery.HttpNamespace;
import software.amazon.awscdk.services.servicediscovery.INamespace;
import software.amazon.awscdk.services.servicediscovery.PrivateDnsNamespace;
import software.constructs.Construct;

/**
 * The Cloud Map namespace of a mesh. Its name defaults to {@code <mesh>.local}
 * ({@link CloudMapNames#namespace}).
 *
 * <pre>{@code
 * MeshNamespace.http();             // API discovery only, as the proxies use
 * MeshNamespace.privateDns(vpc);    // also DNS names inside the VPC, for callers outside the mesh
 * }</pre>
 */
public final class MeshNamespace {

    private final IVpc vpc;
    private final String name;

    private MeshNamespace(IVpc vpc, String name) {
        this.vpc = vpc;
        this.name = name;
    }

    /** An HTTP namespace: instances are found through the Cloud Map API only. */
    public static MeshNamespace http() {
        return new MeshNamespace(null, null);
    }

    public static MeshNamespace http(String name) {
        return new MeshNamespace(null, requireName(name));
    }

    /** A private DNS namespace in the VPC: instances are also A records. */
    public static MeshNamespace privateDns(IVpc vpc) {
        return new MeshNamespace(requireVpc(vpc), null);
    }

    public static MeshNamespace privateDns(IVpc vpc, String name) {
        return new MeshNamespace(requireVpc(vpc), requireName(name));
    }

    public boolean isDns() {
        return vpc != null;
    }

    /** The namespace made concrete under {@code scope}. */
    Bound bind(Construct scope, String id, String meshName) {
        String namespaceName = name != null ? name : CloudMapNames.namespace(meshName);
        String description = "Services of Trellis mesh " + meshName;
        if (vpc == null) {
            HttpNamespace namespace = HttpNamespace.Builder.create(scope, id)
                    .name(namespaceName).description(description).build();
            return new Bound(namespace, Optional.empty());
        }
        PrivateDnsNamespace namespace = PrivateDnsNamespace.Builder.create(scope, id)
                .name(namespaceName).vpc(vpc).description(description).build();
        return new Bound(namespace, Optional.of(namespace.getNamespaceHostedZoneId()));
    }

    record Bound(INamespace namespace, Optional<String> hostedZoneId) {
    }

    private static IVpc requireVpc(IVpc vpc) {
        if (vpc == null) {
            throw new IllegalArgumentException("MeshNamespace.privateDns: vpc null (expected: the VPC the namespace's DNS serves)");
        }
        return vpc;
    }

    private static String requireName(String name) {
        if (name == null || !name.matches("^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$")) {
            throw new IllegalArgumentException("MeshNamespace name: " + name + " (expected: a DNS-like name such as shop.local)");
        }
        return name;
    }
}
