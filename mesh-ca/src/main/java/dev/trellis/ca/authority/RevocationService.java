package dev.trellis.ca.authority;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trellis.ca.store.RevokedCertificate;
import dev.trellis.naming.SpiffeId;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Objects;

/**
 * The mesh CA's admin endpoint the controller mounts at {@code POST /v1/revocations}: revokes one
 * leaf by serial, or every leaf of a service, for callers presenting the controller's admin token
 * ({@code Authorization: Bearer <token>}). Not the bootstrap token: every local proxy holds that one,
 * and a proxy must not be able to revoke its peers. Transport-free, like {@link CertificateAuthorityService}.
 *
 * <table>
 *   <caption>HTTP mapping</caption>
 *   <tr><td>200</td><td>{@code {"revoked":[{"serial","identity","revokedAt","expiresBy"}],"crlNumber":"..."}}</td></tr>
 *   <tr><td>400</td><td>not {@code {"serial":"<hex>"}} nor {@code {"service":"<name>"}}</td></tr>
 *   <tr><td>401</td><td>no admin token, or the wrong one</td></tr>
 * </table>
 */
public final class RevocationService {

    /** The path the service is mounted at. */
    public static final String PATH = "/v1/revocations";

    private static final System.Logger LOG = System.getLogger(RevocationService.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MIN_TOKEN_LENGTH = 16;
    private static final String BEARER = "Bearer ";

    private final MeshCa authority;
    private final byte[] tokenDigest;

    private RevocationService(MeshCa authority, String adminToken) {
        this.authority = Objects.requireNonNull(authority, "authority");
        this.tokenDigest = sha256(adminToken);
    }

    /**
     * The service for {@code authority}, for callers presenting {@code adminToken}.
     *
     * @throws IllegalArgumentException if the token is shorter than 16 characters
     */
    public static RevocationService of(MeshCa authority, String adminToken) {
        if (adminToken == null || adminToken.length() < MIN_TOKEN_LENGTH) {
            throw new IllegalArgumentException("admin token: " + (adminToken == null ? "null" : adminToken.length() + " characters")
                    + " (expected: at least " + MIN_TOKEN_LENGTH + " characters)");
        }
        return new RevocationService(authority, adminToken);
    }

    /** The request's {@code Authorization} header (or null) and body in, the status and body to answer out. Never throws. */
    public HttpReply handle(String authorization, byte[] body) {
        if (authorization == null || !authorization.startsWith(BEARER)) {
            return error(401, "authorization: " + (authorization == null ? "none" : "[not a bearer token]")
                    + " (expected: Bearer <the controller's admin token>)");
        }
        // Digests first: equal lengths, so the comparison's time says nothing about the token.
        if (!MessageDigest.isEqual(tokenDigest, sha256(authorization.substring(BEARER.length())))) {
            return error(401, "authorization: Bearer [redacted] (expected: the controller's admin token)");
        }
        JsonNode request;
        try {
            request = JSON.readTree(body);
        } catch (IOException e) {
            return error(400, "body: not JSON (expected: {\"serial\": \"<hex>\"} or {\"service\": \"<name>\"})");
        }
        if (request == null || !request.isObject() || request.has("serial") == request.has("service")) {
            return error(400, "body: " + request + " (expected: exactly one of {\"serial\": \"<hex>\"}, {\"service\": \"<name>\"})");
        }
        List<RevokedCertificate> revoked;
        if (request.has("serial")) {
            BigInteger serial;
            try {
                serial = new BigInteger(request.get("serial").asText(), 16);
            } catch (NumberFormatException e) {
                return error(400, "serial: " + request.get("serial") + " (expected: the certificate's serial number in hex)");
            }
            if (serial.signum() <= 0) {
                return error(400, "serial: " + request.get("serial") + " (expected: a positive serial number in hex)");
            }
            revoked = List.of(authority.revoke(serial));
        } else {
            SpiffeId identity;
            try {
                identity = authority.identityOf(request.get("service").asText());
            } catch (IllegalArgumentException e) {
                return error(400, "service: " + request.get("service") + " (expected: a service name of mesh " + authority.mesh() + ")");
            }
            revoked = authority.revokeIdentity(identity);
        }
        BigInteger crlNumber = crlNumber();
        LOG.log(System.Logger.Level.WARNING, "certificates revoked: {0}, CRL number {1}",
                revoked.stream().map(entry -> entry.serial().toString(16) + " " + entry.identity().orElse("(identity unknown)")).toList(),
                crlNumber.toString());
        ObjectNode reply = JSON.createObjectNode();
        ArrayNode entries = reply.putArray("revoked");
        for (RevokedCertificate entry : revoked) {
            ObjectNode node = entries.addObject().put("serial", entry.serial().toString(16));
            entry.identity().ifPresent(id -> node.put("identity", id));
            node.put("revokedAt", entry.revokedAt().toString()).put("expiresBy", entry.expiresBy().toString());
        }
        reply.put("crlNumber", crlNumber.toString());
        return new HttpReply(200, reply.toString().getBytes(StandardCharsets.UTF_8));
    }

    private BigInteger crlNumber() {
        byte[] extension = authority.revocationList().getExtensionValue(org.bouncycastle.asn1.x509.Extension.cRLNumber.getId());
        try {
            return org.bouncycastle.asn1.x509.CRLNumber.getInstance(
                    org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils.parseExtensionValue(extension)).getCRLNumber();
        } catch (IOException e) {
            throw new IllegalStateException("the CA's own CRL has an unreadable CRL number", e);
        }
    }

    private static HttpReply error(int status, String message) {
        LOG.log(System.Logger.Level.INFO, "revocation refused ({0}): {1}", status, message);
        ObjectNode body = JSON.createObjectNode().put("error", message);
        return new HttpReply(status, body.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "RevocationService{" + authority + "}";
    }
}
