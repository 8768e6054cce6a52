package dev.trellis.ca.api;

/** {@code 400}, {@code 403} and {@code 503} body: {@code {"error": "field: value (expected: ...)"}}. */
public record IssueError(String error) {
}
