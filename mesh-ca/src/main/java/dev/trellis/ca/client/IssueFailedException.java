package dev.trellis.ca.client;

/** The CA did not issue: it refused (status 400/403), was unavailable (503), or did not answer (status 0). */
public final class IssueFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;

    public IssueFailedException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status, or 0 when there was no answer. */
    public int status() {
        return status;
    }
}
