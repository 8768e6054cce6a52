package dev.trellis.controller.spec;

import dev.trellis.spec.MeshSpec;
import dev.trellis.spec.MeshSpecs;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A spec the controller accepted.
 *
 * @param spec the validated spec
 * @param version a hash of its content (services in name order), so equal specs have equal versions
 * @param loadedAt when it was accepted
 * @param source where it came from: {@code file:<path>} or {@code ssm:<path>}
 */
public record LoadedSpec(MeshSpec spec, String version, Instant loadedAt, String source) {

    public LoadedSpec {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(loadedAt, "loadedAt");
        Objects.requireNonNull(source, "source");
    }

    public static LoadedSpec of(MeshSpec spec, Instant loadedAt, String source) {
        return new LoadedSpec(spec, versionOf(spec), loadedAt, source);
    }

    /** The content version of a spec: 16 hex digits of the SHA-256 of its normalized JSON. */
    public static String versionOf(MeshSpec spec) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest(MeshSpecs.toJson(MeshSpecs.normalized(spec)).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
