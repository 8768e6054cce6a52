package dev.trellis.snapshot;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.trellis.spec.internal.SpecJson;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The snapshot's stable JSON form, its content version, and its consistency check. A snapshot
 * is checked before it is served and again before it is applied: never half a configuration.
 */
public final class Snapshots {

    private Snapshots() {
    }

    /** Checks the snapshot and returns it with its content version set. */
    public static ProxySnapshot seal(ProxySnapshot snapshot) {
        ProxySnapshot unversioned = snapshot.withVersion(null);
        requireConsistent(unversioned);
        return snapshot.withVersion(contentVersion(unversioned));
    }

    /** Every inconsistency: routes to missing clusters, duplicate names, bad ports, weights. */
    public static List<String> problems(ProxySnapshot s) {
        List<String> problems = new ArrayList<>();
        if (s.inbound() == null) {
            problems.add("inbound: null (expected: the inbound listener)");
        }
        if (s.outbound() == null) {
            problems.add("outbound: null (expected: the outbound listener)");
        }
        Set<String> clusterNames = new HashSet<>();
        for (Cluster cluster : s.clusters()) {
            if (!clusterNames.add(cluster.name())) {
                problems.add("clusters[" + cluster.name() + "]: defined twice (expected: unique cluster names)");
            }
            for (Endpoint endpoint : cluster.endpoints()) {
                if (endpoint.port() < 1 || endpoint.port() > 65535) {
                    problems.add("clusters[" + cluster.name() + "].endpoints[" + endpoint.address() + "].port: "
                            + endpoint.port() + " (expected: 1..65535)");
                }
            }
        }
        if (s.outbound() != null) {
            Set<String> hosts = new HashSet<>();
            for (VirtualService service : s.outbound().services()) {
                for (String host : service.hosts()) {
                    if (!hosts.add(host)) {
                        problems.add("outbound.services[" + service.name() + "].hosts: " + host
                                + " (expected: a host no other service claims)");
                    }
                }
                for (Route route : service.routes()) {
                    String path = "outbound.services[" + service.name() + "].routes[" + route.name() + "]";
                    int sum = 0;
                    for (Route.WeightedCluster target : route.targets()) {
                        sum += target.weight();
                        if (!clusterNames.contains(target.cluster())) {
                            problems.add(path + ".targets: " + target.cluster() + " (expected: an existing cluster)");
                        }
                    }
                    if (sum <= 0) {
                        problems.add(path + ".targets: weights sum to " + sum + " (expected: > 0)");
                    }
                    if (route.mirror() != null && !clusterNames.contains(route.mirror().cluster())) {
                        problems.add(path + ".mirror: " + route.mirror().cluster() + " (expected: an existing cluster)");
                    }
                }
            }
        }
        return problems;
    }

    public static void requireConsistent(ProxySnapshot snapshot) {
        List<String> problems = problems(snapshot);
        if (!problems.isEmpty()) {
            throw new InvalidSnapshotException("snapshot of " + snapshot.service(), problems);
        }
    }

    public static String toJson(ProxySnapshot snapshot) {
        try {
            return SpecJson.json().writeValueAsString(snapshot);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a snapshot could not be written as JSON", e);
        }
    }

    /** Parses a snapshot and checks it, including that its version matches its content. */
    public static ProxySnapshot fromJson(String json) {
        ProxySnapshot snapshot;
        try {
            snapshot = SpecJson.json().readValue(json, ProxySnapshot.class);
        } catch (JsonProcessingException e) {
            throw new InvalidSnapshotException("snapshot", List.of(e.getOriginalMessage()));
        }
        requireConsistent(snapshot);
        if (snapshot.version() != null && isCanonicalWithItsVersion(json, snapshot.version())) {
            return snapshot;
        }
        String expected = contentVersion(snapshot.withVersion(null));
        if (snapshot.version() != null && !snapshot.version().equals(expected)) {
            throw new InvalidSnapshotException("snapshot of " + snapshot.service(), List.of(
                    "version: " + snapshot.version() + " (expected: " + expected + ", the hash of its content)"));
        }
        return snapshot.version() == null ? snapshot.withVersion(expected) : snapshot;
    }

    static String contentVersion(ProxySnapshot unversioned) {
        return hashOf(toJson(unversioned));
    }

    /**
     * Whether {@code json} is exactly {@link #toJson} of a snapshot whose version is {@code version}:
     * the version comes first, so without it the text is what the version was computed over, and
     * a matching hash proves the content without writing the snapshot again (which, the first time,
     * costs a proxy's start-up more than reading it). Any other form falls back to writing it.
     */
    private static boolean isCanonicalWithItsVersion(String json, String version) {
        String prefix = "{\"version\":\"" + version + "\",";
        return json.startsWith(prefix) && version.equals(hashOf("{" + json.substring(prefix.length())));
    }

    private static String hashOf(String canonicalJson) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] hash = sha.digest(canonicalJson.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
