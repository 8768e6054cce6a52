package dev.trellis.hooks.custom;

import dev.trellis.hooks.MalformedEventException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The properties of a {@code Custom::TrellisMeshCa} resource.
 *
 * <ul>
 *   <li>{@code MeshName} (required): the mesh.</li>
 *   <li>{@code TrustDomain}: the SPIFFE trust domain; {@code <mesh>.trellis.local} by default,
 *       as in the mesh spec.</li>
 *   <li>{@code SecretName}: the Secrets Manager secret holding the CA; by default
 *       {@code trellis/<mesh>/mesh-ca-<8 hex digits of the request id>}, a new name per Create,
 *       so that a replacement never collides with the CA it replaces.</li>
 *   <li>{@code RootLifetimeDays}: the root's lifetime, at least 7; 365 by default.</li>
 * </ul>
 * A change of MeshName, TrustDomain or SecretName replaces the CA; a change of RootLifetimeDays
 * alone does not (it applies to the next root the controller rotates in).
 *
 * @param secretName the name given, empty when the default applies
 */
public record MeshCaProperties(String mesh, String trustDomain, Optional<String> secretName, Duration rootLifetime) {

    private static final Pattern MESH = Pattern.compile("[A-Za-z0-9._-]{1,63}");
    private static final Pattern SECRET_NAME = Pattern.compile("[A-Za-z0-9/_+=.@-]{1,512}");

    /**
     * Reads the new properties of a request ({@code old} false) or the old ones of an Update.
     *
     * @throws MalformedEventException naming the property at fault
     */
    public static MeshCaProperties of(CustomResourceRequest request, boolean old) {
        String prefix = old ? "OldResourceProperties." : "ResourceProperties.";
        java.util.function.Function<String, Optional<String>> get = old ? request::oldProperty : request::property;
        String mesh = get.apply("MeshName").orElseThrow(
                () -> new MalformedEventException(prefix + "MeshName", "missing", "the mesh name, such as shop"));
        if (!MESH.matcher(mesh).matches()) {
            throw new MalformedEventException(prefix + "MeshName", "\"" + mesh + "\"", "letters, digits, '.', '_', '-'");
        }
        String trustDomain = get.apply("TrustDomain").orElse(mesh + ".trellis.local");
        if (!MESH.matcher(trustDomain).matches()) {
            throw new MalformedEventException(prefix + "TrustDomain", "\"" + trustDomain + "\"", "a DNS-like name such as example.org");
        }
        Optional<String> secretName = get.apply("SecretName");
        if (secretName.isPresent() && !SECRET_NAME.matcher(secretName.get()).matches()) {
            throw new MalformedEventException(prefix + "SecretName", "\"" + secretName.get() + "\"",
                    "a Secrets Manager name of letters, digits and /_+=.@-");
        }
        Duration lifetime = Duration.ofDays(365);
        Optional<String> days = get.apply("RootLifetimeDays");
        if (days.isPresent()) {
            long parsed;
            try {
                parsed = Long.parseLong(days.get());
            } catch (NumberFormatException e) {
                parsed = -1;
            }
            if (parsed < 7 || parsed > 36_500) {
                throw new MalformedEventException(prefix + "RootLifetimeDays", "\"" + days.get() + "\"", "a whole number of days, 7..36500");
            }
            lifetime = Duration.ofDays(parsed);
        }
        return new MeshCaProperties(mesh, trustDomain, secretName, lifetime);
    }

    /** The secret's name for a Create with this request id. */
    public String secretNameFor(String requestId) {
        return secretName.orElseGet(() -> "trellis/" + mesh + "/mesh-ca-" + shortHash(requestId));
    }

    /** Whether going from {@code old} to this needs a new CA. */
    public boolean replaces(MeshCaProperties old) {
        return !mesh.equals(old.mesh) || !trustDomain.equals(old.trustDomain) || !secretName.equals(old.secretName);
    }

    private static String shortHash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
