package dev.trellis.ca.authority;

import dev.trellis.ca.api.IssueError;
import dev.trellis.ca.api.IssueJson;
import dev.trellis.ca.api.IssueRequest;
import dev.trellis.ca.api.IssueResponse;
import dev.trellis.ca.identity.IdentityRefusedException;
import dev.trellis.ca.identity.IdentityVerifier;
import dev.trellis.ca.pki.Csrs;
import dev.trellis.ca.pki.KeyPairs;
import dev.trellis.ca.pki.Pem;
import dev.trellis.naming.SpiffeId;
import java.security.PublicKey;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.concurrent.atomic.LongAdder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * The issuing service the controller mounts at {@code POST /v1/certificates}: checks the CSR, has
 * the caller's proof verified, and signs only the identity the caller proved. Transport-free: call
 * {@link #handle(byte[])} with the request body and write back the {@link HttpReply}.
 *
 * <table>
 *   <caption>HTTP mapping</caption>
 *   <tr><td>200</td><td>{@link IssueResponse}: {@code {certificateChainPem, trustBundlePem, notAfter}}</td></tr>
 *   <tr><td>400</td><td>malformed JSON or CSR: {@code {"error": "csrPem: ... (expected: ...)"}}</td></tr>
 *   <tr><td>403</td><td>proof refused, or a CSR for an identity other than the one proven</td></tr>
 *   <tr><td>503</td><td>STS or the Kubernetes API did not answer; retry with backoff</td></tr>
 * </table>
 *
 * <p>{@link #handle} blocks while the proof is verified (a call to STS or the Kubernetes API):
 * run it off event-loop threads. Thread-safe.
 */
public final class CertificateAuthorityService {

    private static final System.Logger LOG = System.getLogger(CertificateAuthorityService.class.getName());

    private final MeshCa authority;
    private final IdentityVerifier verifier;
    private final Supplier<Set<String>> knownServices;
    private final LongAdder issued = new LongAdder();
    private final LongAdder refused = new LongAdder();

    private CertificateAuthorityService(MeshCa authority, IdentityVerifier verifier, Supplier<Set<String>> knownServices) {
        this.authority = Objects.requireNonNull(authority, "authority");
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.knownServices = knownServices;
    }

    /** The service for {@code authority}, accepting the proofs {@code verifier} accepts, for any service name. */
    public static CertificateAuthorityService of(MeshCa authority, IdentityVerifier verifier) {
        return new CertificateAuthorityService(authority, verifier, null);
    }

    /**
     * As {@link #of(MeshCa, IdentityVerifier)}, signing only for services in {@code knownServices}
     * (read on every request: pass the current mesh spec's service names). Matters most for the
     * bootstrap token, which vouches for any name in the mesh.
     */
    public static CertificateAuthorityService of(MeshCa authority, IdentityVerifier verifier,
                                                 Supplier<Set<String>> knownServices) {
        return new CertificateAuthorityService(authority, verifier, Objects.requireNonNull(knownServices, "knownServices"));
    }

    /** The body of {@code POST /v1/certificates} in, the status and body to answer out. Never throws. */
    public HttpReply handle(byte[] body) {
        IssueRequest request;
        try {
            request = IssueJson.readRequest(body);
        } catch (IllegalArgumentException e) {
            refused.increment();
            LOG.log(System.Logger.Level.INFO, "certificate refused (400): {0}", e.getMessage());
            return new HttpReply(IssueRefusedException.BAD_REQUEST, IssueJson.write(new IssueError(e.getMessage())));
        }
        try {
            return new HttpReply(200, IssueJson.write(issue(request)));
        } catch (IssueRefusedException e) {
            return new HttpReply(e.status(), IssueJson.write(new IssueError(e.getMessage())));
        }
    }

    /**
     * Signs the CSR if the proof proves the identity it asks for.
     *
     * @throws IssueRefusedException with status 400, 403 or 503 and a {@code field: value (expected: ...)} message
     */
    public IssueResponse issue(IssueRequest request) throws IssueRefusedException {
        try {
            return sign(request);
        } catch (IssueRefusedException e) {
            refused.increment();
            LOG.log(System.Logger.Level.INFO, "certificate refused ({0}): {1}", e.status(), e.getMessage());
            throw e;
        }
    }

    /** Certificates signed so far. */
    public long issuedCount() {
        return issued.sum();
    }

    /** Requests refused so far (any status). */
    public long refusedCount() {
        return refused.sum();
    }

    private IssueResponse sign(IssueRequest request) throws IssueRefusedException {
        if (request.proof() == null) {
            throw new IssueRefusedException(400, "proof: null (expected: {\"kind\": \"aws-sts|k8s-token|bootstrap\", ...})", null);
        }
        PKCS10CertificationRequest csr;
        PublicKey publicKey;
        try {
            csr = Pem.decodeCsr("csrPem", request.csrPem());
            publicKey = Csrs.publicKey(csr);
        } catch (IllegalArgumentException e) {
            throw new IssueRefusedException(400, e.getMessage(), e);
        }
        if (!KeyPairs.isP256(publicKey)) {
            throw new IssueRefusedException(400, "csrPem.publicKey: " + publicKey.getAlgorithm() + " (expected: EC P-256)", null);
        }
        if (!Csrs.isSignatureValid(csr)) {
            throw new IssueRefusedException(400, "csrPem.signature: invalid (expected: signed by the private key of the CSR's public key)", null);
        }
        SpiffeId requested = requestedIdentity(csr);
        SpiffeId proven;
        try {
            proven = verifier.verify(request.proof(), requested);
        } catch (IdentityRefusedException e) {
            throw new IssueRefusedException(e.unavailable() ? 503 : 403, e.getMessage(), e);
        }
        if (!proven.equals(requested)) {
            throw new IssueRefusedException(403, "identity: " + requested
                    + " (expected: the identity proven by the caller, " + proven + ")", null);
        }
        if (knownServices != null) {
            Set<String> services = knownServices.get();
            if (!services.contains(proven.service())) {
                throw new IssueRefusedException(403, "identity: " + proven
                        + " (expected: a service of the mesh spec, one of " + new TreeSet<>(services) + ")", null);
            }
        }
        IssuedCertificate certificate = authority.issue(publicKey, proven);
        issued.increment();
        LOG.log(System.Logger.Level.INFO, "certificate issued: {0}, serial {1}, notAfter {2}, proof {3}",
                proven, certificate.leaf().getSerialNumber().toString(16), certificate.notAfter(), request.proof().kind());
        return new IssueResponse(Pem.encodeCertificates(certificate.chain()),
                Pem.encodeCertificates(certificate.trustBundle()), certificate.notAfter());
    }

    private SpiffeId requestedIdentity(PKCS10CertificationRequest csr) throws IssueRefusedException {
        List<String> uris = Csrs.uriSans(csr);
        String expected = "exactly one spiffe://" + authority.trustDomain() + "/mesh/" + authority.mesh() + "/service/<name>";
        if (uris.size() != 1) {
            throw new IssueRefusedException(400, "csrPem.uriSans: " + uris + " (expected: " + expected + ")", null);
        }
        SpiffeId requested;
        try {
            requested = SpiffeId.parse(uris.get(0));
        } catch (IllegalArgumentException e) {
            throw new IssueRefusedException(400, "csrPem.uriSans: " + uris + " (expected: " + expected + ")", e);
        }
        if (!requested.trustDomain().equals(authority.trustDomain()) || !requested.mesh().equals(authority.mesh())) {
            throw new IssueRefusedException(403, "identity: " + requested
                    + " (expected: spiffe://" + authority.trustDomain() + "/mesh/" + authority.mesh() + "/service/<name>, this mesh)", null);
        }
        return requested;
    }

    @Override
    public String toString() {
        return "CertificateAuthorityService{" + authority + ", " + verifier + "}";
    }
}
