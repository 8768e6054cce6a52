package dev.trellis.ca.authority;

/** An issue request the CA will not sign, with the HTTP status that says why: 400, 403 or 503. */
public final class IssueRefusedException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The request is malformed: bad JSON, bad CSR. */
    public static final int BAD_REQUEST = 400;
    /** The caller did not prove the identity it asks for. */
    public static final int FORBIDDEN = 403;
    /** The proof could not be checked now (STS or the Kubernetes API did not answer): retry. */
    public static final int UNAVAILABLE = 503;

    private final int status;

    IssueRefusedException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** 400, 403 or 503. */
    public int status() {
        return status;
    }
}
