package dev.trellis.ca.identity;

/**
 * A proof that did not prove the identity (HTTP 403), or could not be checked because the system
 * that vouches for it (STS, the Kubernetes API) did not answer (HTTP 503, try again).
 */
public final class IdentityRefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean unavailable;

    private IdentityRefusedException(String message, boolean unavailable, Throwable cause) {
        super(message, cause);
        this.unavailable = unavailable;
    }

    /** The proof does not prove an identity; the message says why, {@code field: value (expected: ...)}. */
    public static IdentityRefusedException refused(String message) {
        return new IdentityRefusedException(message, false, null);
    }

    /** The proof could not be checked now. */
    public static IdentityRefusedException unavailable(String message, Throwable cause) {
        return new IdentityRefusedException(message, true, cause);
    }

    /** Whether checking failed rather than the proof (retry later). */
    public boolean unavailable() {
        return unavailable;
    }
}
