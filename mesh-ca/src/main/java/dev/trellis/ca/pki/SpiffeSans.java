package dev.trellis.ca.pki;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Reads the URI subject alternative names of a certificate, where SPIFFE IDs live. */
public final class SpiffeSans {

    private static final int URI_NAME = 6;

    private SpiffeSans() {
    }

    /** Every URI SAN of the certificate, in order; empty when it has none. */
    public static List<String> uris(X509Certificate certificate) {
        List<String> uris = new ArrayList<>();
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> name : names) {
                    if (name.size() >= 2 && Integer.valueOf(URI_NAME).equals(name.get(0))) {
                        uris.add(String.valueOf(name.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            return List.of();
        }
        return uris;
    }
}
