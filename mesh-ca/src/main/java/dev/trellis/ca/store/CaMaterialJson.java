package dev.trellis.ca.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trellis.ca.pki.Pem;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The stored form of {@link CaMaterial}: a small JSON document whose values are PEM, so that
 * {@code jq -r .active.certificate | openssl x509 -text} works on the secret or file.
 *
 * <pre>{@code
 * {"format":"trellis-mesh-ca/v1",
 *  "active":{"certificate":"-----BEGIN CERTIFICATE-----...","privateKey":"-----BEGIN PRIVATE KEY-----..."},
 *  "next":{"certificate":"...","kmsKeyId":"arn:aws:kms:..."},
 *  "retiring":[{"certificate":"...","trustedUntil":"2026-11-27T08:00:00Z"}],
 *  "revoked":[{"serial":"5f3a...","identity":"spiffe://...","revokedAt":"...","expiresBy":"..."}]}
 * }</pre>
 */
public final class CaMaterialJson {

    /** The value of the {@code format} field this version writes and reads. */
    public static final String FORMAT = "trellis-mesh-ca/v1";

    private static final ObjectMapper JSON = new ObjectMapper();

    private CaMaterialJson() {
    }

    /** The JSON text of the material (holds private keys when stored locally: keep it secret). */
    public static String write(CaMaterial material) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.set("active", generation(material.active()));
        material.next().ifPresent(next -> root.set("next", generation(next)));
        ArrayNode retiring = root.putArray("retiring");
        for (RetiringRoot old : material.retiring()) {
            retiring.addObject()
                    .put("certificate", Pem.encodeCertificates(List.of(old.certificate())))
                    .put("trustedUntil", old.trustedUntil().toString());
        }
        ArrayNode revoked = root.putArray("revoked");
        for (RevokedCertificate entry : material.revoked()) {
            ObjectNode node = revoked.addObject().put("serial", entry.serial().toString(16));
            entry.identity().ifPresent(identity -> node.put("identity", identity));
            node.put("revokedAt", entry.revokedAt().toString()).put("expiresBy", entry.expiresBy().toString());
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException("writing CA material as JSON failed", e);
        }
    }

    /**
     * Reads material written by {@link #write}.
     *
     * @param source names the origin in error messages, such as the secret id or file path
     */
    public static CaMaterial read(String source, String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": not JSON (expected: a " + FORMAT + " document)", e);
        }
        if (root == null || !FORMAT.equals(root.path("format").asText())) {
            throw new IllegalArgumentException(source + ".format: "
                    + (root == null || root.path("format").isMissingNode() ? "missing" : root.path("format"))
                    + " (expected: \"" + FORMAT + "\")");
        }
        CaGeneration active = generation(source + ".active", root.path("active"));
        Optional<CaGeneration> next = root.hasNonNull("next")
                ? Optional.of(generation(source + ".next", root.get("next")))
                : Optional.empty();
        List<RetiringRoot> retiring = new ArrayList<>();
        int index = 0;
        for (JsonNode old : root.path("retiring")) {
            String path = source + ".retiring[" + index++ + "]";
            retiring.add(new RetiringRoot(certificate(path + ".certificate", old.path("certificate")),
                    instant(path + ".trustedUntil", old.path("trustedUntil"))));
        }
        // Absent in documents written before revocation existed: nothing revoked then.
        List<RevokedCertificate> revoked = new ArrayList<>();
        index = 0;
        for (JsonNode entry : root.path("revoked")) {
            String path = source + ".revoked[" + index++ + "]";
            revoked.add(new RevokedCertificate(serial(path + ".serial", entry.path("serial")),
                    Optional.ofNullable(entry.path("identity").asText(null)),
                    instant(path + ".revokedAt", entry.path("revokedAt")),
                    instant(path + ".expiresBy", entry.path("expiresBy"))));
        }
        return new CaMaterial(active, next, retiring, revoked);
    }

    private static java.math.BigInteger serial(String path, JsonNode node) {
        try {
            java.math.BigInteger serial = new java.math.BigInteger(node.asText(""), 16);
            if (serial.signum() > 0) {
                return serial;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(path + ": " + node + " (expected: a positive serial number in hex)");
    }

    private static ObjectNode generation(CaGeneration generation) {
        ObjectNode node = JSON.createObjectNode();
        node.put("certificate", Pem.encodeCertificates(List.of(generation.certificate())));
        if (generation.key() instanceof KeyReference.Pkcs8Pem pem) {
            node.put("privateKey", pem.pem());
        } else if (generation.key() instanceof KeyReference.KmsKey kms) {
            node.put("kmsKeyId", kms.keyId());
        }
        return node;
    }

    private static CaGeneration generation(String path, JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalArgumentException(path + ": " + node + " (expected: {certificate, privateKey|kmsKeyId})");
        }
        X509Certificate certificate = certificate(path + ".certificate", node.path("certificate"));
        if (node.hasNonNull("privateKey")) {
            String pem = node.get("privateKey").asText();
            Pem.decodePrivateKey(path + ".privateKey", pem);
            return new CaGeneration(certificate, KeyReference.pkcs8Pem(pem));
        }
        if (node.hasNonNull("kmsKeyId")) {
            return new CaGeneration(certificate, KeyReference.kms(node.get("kmsKeyId").asText()));
        }
        throw new IllegalArgumentException(path + ": no key (expected: privateKey or kmsKeyId)");
    }

    private static X509Certificate certificate(String path, JsonNode node) {
        List<X509Certificate> certificates = Pem.decodeCertificates(path, node.asText(null));
        if (certificates.size() != 1) {
            throw new IllegalArgumentException(path + ": " + certificates.size() + " certificates (expected: exactly 1)");
        }
        return certificates.get(0);
    }

    private static Instant instant(String path, JsonNode node) {
        try {
            return Instant.parse(node.asText(""));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(path + ": " + node + " (expected: an ISO-8601 instant)", e);
        }
    }
}
