package dev.trellis.ca.store;

import java.security.cert.X509Certificate;
import java.util.Objects;

/** One root of the mesh CA: its self-signed certificate and where its signing key is. */
public record CaGeneration(X509Certificate certificate, KeyReference key) {
    public CaGeneration {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(key, "key");
    }
}
