package dev.trellis.spec;

/** What happens to a caller when a service lists no allowed callers. */
public enum DefaultPolicy {
    /** Every service of the mesh may call. */
    ALLOW,
    /** Nobody may call unless listed. */
    DENY
}
