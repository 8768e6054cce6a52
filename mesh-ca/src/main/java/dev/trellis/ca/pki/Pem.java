package dev.trellis.ca.pki;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * PEM text to and from certificates, PKCS#8 private keys and PKCS#10 requests. Every reader fails
 * with {@link IllegalArgumentException} in the form {@code field: value (expected: ...)}.
 */
public final class Pem {

    private static final JcaX509CertificateConverter CERTIFICATES = new JcaX509CertificateConverter();
    private static final JcaPEMKeyConverter KEYS = new JcaPEMKeyConverter();

    private Pem() {
    }

    /** The certificates, in order, as one PEM text. */
    public static String encodeCertificates(Collection<X509Certificate> certificates) {
        return write(new ArrayList<>(certificates));
    }

    /** The key as an unencrypted PKCS#8 {@code PRIVATE KEY} block. */
    public static String encodePrivateKey(PrivateKey key) {
        try {
            return write(List.of(new JcaPKCS8Generator(key, null).generate()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The request as a {@code CERTIFICATE REQUEST} block. */
    public static String encodeCsr(PKCS10CertificationRequest csr) {
        return write(List.of(csr));
    }

    /** Every {@code CERTIFICATE} block in the text, in order; other blocks are ignored. */
    public static List<X509Certificate> decodeCertificates(String field, String pem) {
        List<X509Certificate> certificates = new ArrayList<>();
        for (Object object : read(field, pem, "PEM certificates")) {
            if (object instanceof X509CertificateHolder holder) {
                try {
                    certificates.add(CERTIFICATES.getCertificate(holder));
                } catch (CertificateException e) {
                    throw new IllegalArgumentException(field + ": unreadable certificate (expected: an X.509 certificate)", e);
                }
            }
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException(field + ": no CERTIFICATE block (expected: PEM certificates)");
        }
        return List.copyOf(certificates);
    }

    /** The one private key in the text (PKCS#8 or SEC1 {@code EC PRIVATE KEY}). */
    public static PrivateKey decodePrivateKey(String field, String pem) {
        for (Object object : read(field, pem, "a PEM private key")) {
            try {
                if (object instanceof PrivateKeyInfo info) {
                    return KEYS.getPrivateKey(info);
                }
                if (object instanceof PEMKeyPair pair) {
                    return KEYS.getKeyPair(pair).getPrivate();
                }
            } catch (IOException e) {
                throw new IllegalArgumentException(field + ": unreadable private key (expected: a PKCS#8 private key)", e);
            }
        }
        throw new IllegalArgumentException(field + ": no PRIVATE KEY block (expected: a PEM private key)");
    }

    /** The one certification request in the text. */
    public static PKCS10CertificationRequest decodeCsr(String field, String pem) {
        for (Object object : read(field, pem, "a PEM CERTIFICATE REQUEST")) {
            if (object instanceof PKCS10CertificationRequest csr) {
                return csr;
            }
        }
        throw new IllegalArgumentException(field + ": no CERTIFICATE REQUEST block (expected: a PEM PKCS#10 request)");
    }

    private static List<Object> read(String field, String pem, String expected) {
        if (pem == null || pem.isBlank()) {
            throw new IllegalArgumentException(field + ": " + (pem == null ? "null" : "\"\"") + " (expected: " + expected + ")");
        }
        List<Object> objects = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
                objects.add(object);
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(field + ": malformed PEM (expected: " + expected + ")", e);
        }
        return objects;
    }

    private static String write(List<Object> objects) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            for (Object object : objects) {
                writer.writeObject(object);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }
}
