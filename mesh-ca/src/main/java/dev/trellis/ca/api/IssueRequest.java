package dev.trellis.ca.api;

/** {@code POST /v1/certificates} body: {@code {"csrPem": "...", "proof": {"kind": ..., ...}}}. */
public record IssueRequest(String csrPem, IdentityProof proof) {
}
