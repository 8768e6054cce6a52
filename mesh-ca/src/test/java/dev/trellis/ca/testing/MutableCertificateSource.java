package dev.trellis.ca.testing;

import dev.trellis.ca.tls.CertificateSource;
import dev.trellis.ca.tls.CertifiedKey;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A certificate source a test rotates by hand. */
public final class MutableCertificateSource implements CertificateSource {
    private volatile CertifiedKey current;
    private final List<Consumer<CertifiedKey>> listeners = new CopyOnWriteArrayList<>();

    public MutableCertificateSource(CertifiedKey first) {
        this.current = first;
    }

    public void rotate(CertifiedKey next) {
        current = next;
        listeners.forEach(listener -> listener.accept(next));
    }

    @Override
    public CertifiedKey current() {
        return current;
    }

    @Override
    public void onRotation(Consumer<CertifiedKey> listener) {
        listeners.add(listener);
    }
}
