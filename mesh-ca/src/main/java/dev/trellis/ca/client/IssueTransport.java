package dev.trellis.ca.client;

import dev.trellis.ca.api.IssueRequest;
import dev.trellis.ca.api.IssueResponse;
import java.net.URI;
import java.time.Duration;

/** How the proxy reaches the CA. */
@FunctionalInterface
public interface IssueTransport {

    /**
     * Asks for a certificate.
     *
     * @throws IssueFailedException if the CA refused, was unavailable, or did not answer
     */
    IssueResponse issue(IssueRequest request) throws IssueFailedException;

    /** {@code POST <controller>/v1/certificates} with the JDK HTTP client, 10 s timeout. */
    static IssueTransport http(URI controller) {
        return new HttpIssueTransport(controller, Duration.ofSeconds(10));
    }

    /** As {@link #http(URI)} with the given timeout. */
    static IssueTransport http(URI controller, Duration timeout) {
        return new HttpIssueTransport(controller, timeout);
    }
}
