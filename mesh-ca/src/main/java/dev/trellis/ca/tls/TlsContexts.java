package dev.trellis.ca.tls;

import dev.trellis.naming.SpiffeId;
import dev.trellis.spec.TlsMode;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.handler.ssl.OptionalSslHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.util.EnumMap;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The current TLS contexts of a proxy, following its {@link CertificateSource}: each rotation swaps
 * in a new generation of contexts (built on first use), so every new connection handshakes with the
 * newest certificate and trust bundle, and connections already open keep the context they started with.
 * Inbound connections opened with {@link #newInboundHandler(TlsMode, Channel)} are remembered while
 * open, so that {@link #closeRevokedPeers} can end those of a peer revoked after its handshake.
 */
public final class TlsContexts {

    private static final System.Logger LOG = System.getLogger(TlsContexts.class.getName());

    private final MeshTls tls;
    private final AtomicReference<Generation> generation;
    private final Set<Channel> inbound = ConcurrentHashMap.newKeySet();

    TlsContexts(MeshTls tls, CertificateSource source) {
        this.tls = tls;
        this.generation = new AtomicReference<>(new Generation(source.current()));
        source.onRotation(key -> generation.set(new Generation(key)));
    }

    /** The certificate the newest contexts present. */
    public CertifiedKey certifiedKey() {
        return generation.get().key;
    }

    /** The newest server context for {@code mode} (STRICT or PERMISSIVE). */
    public SslContext server(TlsMode mode) {
        return generation.get().server(mode);
    }

    /** {@link #server(TlsMode)} as a supplier, read again for every connection. */
    public Supplier<SslContext> serverSupplier(TlsMode mode) {
        Objects.requireNonNull(mode, "mode");
        return () -> server(mode);
    }

    /**
     * The newest client context for calling the service whose identity is {@code expectedServer}
     * in {@code applicationProtocol}.
     */
    public SslContext client(SpiffeId expectedServer, String applicationProtocol) {
        return generation.get().client(expectedServer, applicationProtocol);
    }

    /**
     * The first handler of an inbound connection: an {@link SslHandler} that requires a client
     * certificate (STRICT), or an {@link OptionalSslHandler} that accepts TLS with or without a client
     * certificate and plaintext too (PERMISSIVE).
     *
     * @throws IllegalArgumentException for DISABLED: add no TLS handler then
     */
    public ChannelHandler newInboundHandler(TlsMode mode, ByteBufAllocator allocator) {
        return switch (Objects.requireNonNull(mode, "mode")) {
            case STRICT -> server(TlsMode.STRICT).newHandler(allocator);
            case PERMISSIVE -> new OptionalSslHandler(server(TlsMode.PERMISSIVE));
            case DISABLED -> throw new IllegalArgumentException("mode: DISABLED (expected: STRICT or PERMISSIVE; add no TLS handler for DISABLED)");
        };
    }

    /**
     * As {@link #newInboundHandler(TlsMode, ByteBufAllocator)} for {@code channel}, which is remembered
     * until it closes so that {@link #closeRevokedPeers} can reach it. In STRICT, a caller refused for
     * sending no certificate is counted as {@link PeerRejection#NO_CERTIFICATE} (the TLS library
     * refuses it before any trust manager is asked, so the {@link PeerVerifier} never sees it).
     */
    public ChannelHandler newInboundHandler(TlsMode mode, Channel channel) {
        ChannelHandler handler = newInboundHandler(mode, channel.alloc());
        if (handler instanceof SslHandler ssl && mode == TlsMode.STRICT) {
            ssl.handshakeFuture().addListener(done -> {
                if (!done.isSuccess() && isMissingClientCertificate(done.cause())) {
                    tls.rejections().record(PeerRejection.NO_CERTIFICATE);
                    LOG.log(System.Logger.Level.WARNING, "peer certificate refused: {0}: {1}", PeerRejection.NO_CERTIFICATE,
                            "peer certificate: none from " + channel.remoteAddress() + " (expected: a mesh certificate, STRICT)");
                }
            });
        }
        if (inbound.add(channel)) {
            channel.closeFuture().addListener(closed -> inbound.remove(channel));
        }
        return handler;
    }

    /**
     * For a revocation list that has changed: closes every open inbound connection whose peer presented
     * a leaf that {@code revocations} now says is revoked, and starts a new generation of contexts, so
     * that no TLS session negotiated before is resumed (a resumed session skips the certificate check;
     * new contexts have a new session cache and new ticket keys). A revoked peer thus loses the
     * connections it had and cannot get back in; the others pay one full handshake per new connection.
     *
     * @return how many connections were closed
     */
    public int closeRevokedPeers(RevocationCheck revocations) {
        Generation current = generation.get();
        generation.compareAndSet(current, new Generation(current.key));
        int closed = 0;
        for (Channel channel : inbound) {
            SslHandler ssl = channel.pipeline().get(SslHandler.class);
            if (ssl == null || !ssl.handshakeFuture().isSuccess()) {
                continue;
            }
            Certificate[] chain;
            try {
                chain = ssl.engine().getSession().getPeerCertificates();
            } catch (SSLPeerUnverifiedException e) {
                continue;   // PERMISSIVE caller without a certificate: nothing to revoke
            }
            if (chain.length > 0 && chain[0] instanceof X509Certificate leaf && revocations.isRevoked(leaf)) {
                channel.close();
                closed++;
            }
        }
        return closed;
    }

    /** BoringSSL's and the JDK's ways of saying that a required client certificate did not come. */
    private static boolean isMissingClientCertificate(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            String message = cause.getMessage();
            if (message != null && (message.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE")
                    || message.contains("Empty client certificate chain"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The first handler of an outbound connection to {@code expectedServer} at {@code host:port}
     * that will speak {@code applicationProtocol} ({@code h2} or {@code http/1.1}), the one protocol
     * it offers over ALPN.
     */
    public SslHandler newOutboundHandler(SpiffeId expectedServer, String applicationProtocol, ByteBufAllocator allocator,
            String host, int port) {
        return client(expectedServer, applicationProtocol).newHandler(allocator, host, port);
    }

    private final class Generation {
        private final CertifiedKey key;
        private final Map<TlsMode, SslContext> servers = new EnumMap<>(TlsMode.class);
        private final Map<ClientKey, SslContext> clients = new ConcurrentHashMap<>();

        Generation(CertifiedKey key) {
            this.key = Objects.requireNonNull(key, "key");
        }

        synchronized SslContext server(TlsMode mode) {
            return servers.computeIfAbsent(mode, m -> tls.serverContext(key, m));
        }

        SslContext client(SpiffeId expectedServer, String applicationProtocol) {
            return clients.computeIfAbsent(new ClientKey(expectedServer, applicationProtocol),
                    k -> tls.clientContext(key, k.expectedServer(), k.applicationProtocol()));
        }
    }

    private record ClientKey(SpiffeId expectedServer, String applicationProtocol) {
    }
}
