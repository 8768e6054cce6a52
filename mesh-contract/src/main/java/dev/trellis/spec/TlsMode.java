package dev.trellis.spec;

/** How a service's inbound listener treats TLS, App Mesh style. */
public enum TlsMode {
    /** Only mutual TLS with a mesh certificate; plaintext is refused. */
    STRICT,
    /** Both mutual TLS and plaintext are accepted, for migration. */
    PERMISSIVE,
    /** Plaintext only. */
    DISABLED
}
