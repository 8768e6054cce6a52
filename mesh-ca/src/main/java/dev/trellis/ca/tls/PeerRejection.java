package dev.trellis.ca.tls;

/** Why a peer certificate was refused; each is counted in {@link PeerRejections}. */
public enum PeerRejection {
    /** The peer sent no certificate where one is required. */
    NO_CERTIFICATE,
    /** The leaf's notAfter has passed. */
    EXPIRED,
    /** The leaf's notBefore is in the future. */
    NOT_YET_VALID,
    /** The leaf is self-signed and not a mesh root. */
    SELF_SIGNED,
    /** The chain does not lead to a root of the trust bundle. */
    WRONG_CA,
    /** Not exactly one URI SAN, or it is not a SPIFFE ID of this trust domain. */
    WRONG_SAN,
    /** A valid mesh identity, but not the one expected for the service called. */
    WRONG_IDENTITY,
    /** The leaf's serial is on the mesh CA's revocation list. */
    REVOKED
}
