package dev.trellis.controller.snapshots;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.trellis.snapshot.Cluster;
import dev.trellis.snapshot.Outbound;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.Snapshots;
import dev.trellis.snapshot.VirtualService;
import dev.trellis.spec.internal.SpecJson;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The part of a snapshot that belongs to one service (mesh, identity, inbound listener), with
 * holes where the shared outbound services and clusters go. Sealing fills the holes with the
 * generation's shared JSON and hashes the result, which gives byte for byte the JSON, and so the
 * version, that {@link Snapshots#seal} would give, without serializing the shared parts once per
 * service. {@link MeshSnapshots} checks that equality against {@link Snapshots} on every spec
 * change and falls back to {@link Snapshots#seal} if it ever fails.
 */
final class ServiceTemplate {

    private static final byte[] SERVICES_HOLE = "\"services\":[]".getBytes(StandardCharsets.UTF_8);
    private static final byte[] CLUSTERS_HOLE = "\"clusters\":[]".getBytes(StandardCharsets.UTF_8);

    private final ProxySnapshot skeleton;
    /** The unversioned JSON cut at the holes: before services, between, after clusters; null if it could not be cut. */
    private final byte[][] pieces;
    /** The same pieces as direct buffers, for serving. */
    private final ByteBuffer[] direct;

    private ServiceTemplate(ProxySnapshot skeleton, byte[][] pieces) {
        this.skeleton = skeleton;
        this.pieces = pieces;
        this.direct = pieces == null ? null
                : new ByteBuffer[] {direct(pieces[0], 1), direct(pieces[1], 0), direct(pieces[2], 0)};
    }

    /** A template from a snapshot whose outbound services and clusters are empty. */
    static ServiceTemplate of(ProxySnapshot skeleton) {
        byte[] json = Snapshots.toJson(skeleton.withVersion(null)).getBytes(StandardCharsets.UTF_8);
        int services = indexOfOnly(json, SERVICES_HOLE);
        int clusters = indexOfOnly(json, CLUSTERS_HOLE);
        byte[][] pieces = null;
        if (services > 0 && clusters > services && json[0] == '{') {
            int servicesArray = services + SERVICES_HOLE.length - 2;
            int clustersArray = clusters + CLUSTERS_HOLE.length - 2;
            pieces = new byte[][] {
                    Arrays.copyOfRange(json, 0, servicesArray),
                    Arrays.copyOfRange(json, servicesArray + 2, clustersArray),
                    Arrays.copyOfRange(json, clustersArray + 2, json.length)};
        }
        return new ServiceTemplate(skeleton, pieces);
    }

    /** A template that always seals with {@link Snapshots#seal}. */
    static ServiceTemplate slow(ProxySnapshot skeleton) {
        return new ServiceTemplate(skeleton, null);
    }

    String service() {
        return skeleton.service();
    }

    boolean fast() {
        return pieces != null;
    }

    /** The whole snapshot, unsealed: for the consistency check and the slow path. */
    ProxySnapshot fill(List<VirtualService> services, List<Cluster> clusters) {
        return new ProxySnapshot(null, skeleton.mesh(), skeleton.service(), skeleton.identity(),
                skeleton.trustDomain(), skeleton.inbound(), new Outbound(skeleton.outbound().port(), services), clusters);
    }

    /**
     * Seals with the shared JSON arrays of the outbound services and of the clusters.
     * The consistency check is the caller's: it is the same for every service of a generation.
     */
    SealedSnapshot seal(long generation, Shared servicesJson, Shared clustersJson,
            List<VirtualService> services, List<Cluster> clusters) {
        if (pieces == null) {
            ProxySnapshot sealed = Snapshots.seal(fill(services, clusters));
            return new SealedSnapshot(service(), sealed.version(), generation,
                    new ByteBuffer[] {direct(Snapshots.toJson(sealed).getBytes(StandardCharsets.UTF_8), 0)});
        }
        MessageDigest sha = sha256();
        sha.update(pieces[0]);
        sha.update(servicesJson.bytes());
        sha.update(pieces[1]);
        sha.update(clustersJson.bytes());
        sha.update(pieces[2]);
        String version = HexFormat.of().formatHex(sha.digest(), 0, 8);
        ByteBuffer head = direct(("{\"version\":\"" + version + "\",").getBytes(StandardCharsets.UTF_8), 0);
        return new SealedSnapshot(service(), version, generation,
                new ByteBuffer[] {head, direct[0], servicesJson.direct(), direct[1], clustersJson.direct(), direct[2]});
    }

    /** JSON shared by every service's snapshot: on the heap for hashing, direct for sockets. */
    record Shared(byte[] bytes, ByteBuffer direct) {
        static Shared of(byte[] bytes) {
            return new Shared(bytes, ServiceTemplate.direct(bytes, 0));
        }
    }

    /** A read-only direct copy of {@code bytes} from {@code offset} on. */
    static ByteBuffer direct(byte[] bytes, int offset) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(bytes.length - offset);
        buffer.put(bytes, offset, bytes.length - offset).flip();
        return buffer.asReadOnlyBuffer();
    }

    /** The JSON of a value, with the mapper {@link Snapshots} uses (so fragments match its output). */
    static byte[] json(Object value) {
        try {
            return SpecJson.json().writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a snapshot part could not be written as JSON", e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The index of the one occurrence of {@code needle}, or -1 if it occurs never or more than once. */
    private static int indexOfOnly(byte[] haystack, byte[] needle) {
        int found = -1;
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            if (found >= 0) {
                return -1;
            }
            found = i;
        }
        return found;
    }
}
