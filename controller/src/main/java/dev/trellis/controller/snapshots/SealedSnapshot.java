package dev.trellis.controller.snapshots;

import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.Snapshots;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A service's snapshot as the controller serves it: its version and its JSON body. The body is
 * held in parts because the large ones (the outbound services and the clusters, identical in
 * every service's snapshot) are shared by all services of a generation, not copied per service.
 * The parts are direct buffers, so that a socket writes them as they are (a gathering write), with
 * no copy per response.
 */
public final class SealedSnapshot {

    private final String service;
    private final String version;
    private final long generation;
    private final ByteBuffer[] body;
    private final int length;

    SealedSnapshot(String service, String version, long generation, ByteBuffer[] body) {
        this.service = Objects.requireNonNull(service, "service");
        this.version = Objects.requireNonNull(version, "version");
        this.generation = generation;
        this.body = body;
        int total = 0;
        for (ByteBuffer part : body) {
            total += part.remaining();
        }
        this.length = total;
    }

    public String service() {
        return service;
    }

    /** The content hash the proxy checks; the HTTP {@code ETag}. */
    public String version() {
        return version;
    }

    /** The controller's generation it belongs to (grows with every recompute that changed something). */
    public long generation() {
        return generation;
    }

    /** The JSON body's parts, in order: read-only views of shared buffers, new views on each call. */
    public ByteBuffer[] bodyParts() {
        ByteBuffer[] views = new ByteBuffer[body.length];
        for (int i = 0; i < body.length; i++) {
            views[i] = body[i].asReadOnlyBuffer();
        }
        return views;
    }

    public int length() {
        return length;
    }

    /** The body as one string (copies; for tests and tools). */
    public String json() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(length);
        for (ByteBuffer part : bodyParts()) {
            byte[] bytes = new byte[part.remaining()];
            part.get(bytes);
            out.writeBytes(bytes);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The snapshot as a proxy reads it, checked (parses; for tests and tools). */
    public ProxySnapshot snapshot() {
        return Snapshots.fromJson(json());
    }

    @Override
    public String toString() {
        return "SealedSnapshot{service=" + service + ", version=" + version + ", generation=" + generation
                + ", bytes=" + length + "}";
    }
}
