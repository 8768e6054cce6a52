package dev.trellis.ca.tls;

import java.util.function.Consumer;

/** Where TLS contexts get the proxy's current certificate, and hear about new ones. */
public interface CertificateSource {

    /**
     * The newest certificate.
     *
     * @throws IllegalStateException if none has been issued yet
     */
    CertifiedKey current();

    /** Calls {@code listener} with every new certificate after this call, on the thread that received it. */
    void onRotation(Consumer<CertifiedKey> listener);
}
