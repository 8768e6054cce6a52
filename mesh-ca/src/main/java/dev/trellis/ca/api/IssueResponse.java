package dev.trellis.ca.api;

import java.time.Instant;

/** {@code 200} body: the leaf chain (leaf first), every root to trust, and when the leaf expires. */
public record IssueResponse(String certificateChainPem, String trustBundlePem, Instant notAfter) {
}
