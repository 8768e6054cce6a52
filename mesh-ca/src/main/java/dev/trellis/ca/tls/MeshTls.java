package dev.trellis.ca.tls;

import dev.trellis.naming.SpiffeId;
import dev.trellis.spec.TlsMode;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Builds the mesh's Netty {@link SslContext}s from a {@link CertifiedKey}: TLS 1.3 and 1.2 only,
 * ECDHE with AES-GCM or ChaCha20-Poly1305, ALPN {@code h2} then {@code http/1.1}, BoringSSL
 * (netty-tcnative) when it loads and the JDK otherwise. Peers are checked by a {@link PeerVerifier}
 * (SPIFFE ID, not host name).
 *
 * <ul>
 *   <li>{@link #serverContext}: the inbound listener; client certificates required in
 *       {@link TlsMode#STRICT}, optional in {@link TlsMode#PERMISSIVE}.</li>
 *   <li>{@link #clientContext}: the outbound side; presents the proxy's certificate and accepts only
 *       the identity expected for the service called.</li>
 *   <li>{@link #follow}: contexts that are rebuilt whenever the certificate rotates, so new
 *       connections use the newest certificate while open ones carry on.</li>
 * </ul>
 */
public final class MeshTls {

    /** TLS versions offered; nothing older. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /** Cipher suites offered, strongest first; mesh keys are ECDSA, so no RSA suites. */
    public static final List<String> CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");

    /** ALPN protocols offered unless the builder says otherwise, preferred first. */
    public static final List<String> DEFAULT_APPLICATION_PROTOCOLS =
            List.of(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1);

    private final String trustDomain;
    private final SslProvider provider;
    private final PeerRejections rejections;
    private final Clock clock;
    private final RevocationCheck revocations;
    private final ApplicationProtocolConfig alpn;

    private MeshTls(Builder builder) {
        this.alpn = alpn(builder.applicationProtocols);
        this.trustDomain = builder.trustDomain;
        this.provider = builder.provider != null ? builder.provider
                : OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        this.rejections = builder.rejections;
        this.clock = builder.clock;
        this.revocations = builder.revocations;
    }

    /** A builder; the trust domain is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** For the trust domain, with a new {@link PeerRejections} and the best provider available. */
    public static MeshTls forTrustDomain(String trustDomain) {
        return builder().trustDomain(trustDomain).build();
    }

    /** OPENSSL (BoringSSL) or JDK. */
    public SslProvider provider() {
        return provider;
    }

    /** Refused peers by reason, across every context this builds. */
    public PeerRejections rejections() {
        return rejections;
    }

    /**
     * A server context presenting {@code key}.
     *
     * @throws IllegalArgumentException for {@link TlsMode#DISABLED}, which has no TLS at all
     */
    public SslContext serverContext(CertifiedKey key, TlsMode mode) {
        ClientAuth clientAuth = switch (Objects.requireNonNull(mode, "mode")) {
            case STRICT -> ClientAuth.REQUIRE;
            case PERMISSIVE -> ClientAuth.OPTIONAL;
            case DISABLED -> throw new IllegalArgumentException("mode: DISABLED (expected: STRICT or PERMISSIVE; DISABLED has no TLS context)");
        };
        try {
            return configure(SslContextBuilder.forServer(new MeshKeyManager(key)), key,
                    Optional.empty())
                    .clientAuth(clientAuth)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("building the server TLS context for " + key.identity() + " failed", e);
        }
    }

    /**
     * A client context presenting {@code key}, accepting only a server whose identity is
     * {@code expectedServer}, and offering the builder's ALPN protocols.
     */
    public SslContext clientContext(CertifiedKey key, SpiffeId expectedServer) {
        return clientContext(key, expectedServer, alpn);
    }

    /**
     * A client context like {@link #clientContext(CertifiedKey, SpiffeId)} that offers exactly
     * {@code applicationProtocol} over ALPN: the protocol the connection will speak, so that a
     * server going by ALPN never picks one the client is not going to send.
     */
    public SslContext clientContext(CertifiedKey key, SpiffeId expectedServer, String applicationProtocol) {
        return clientContext(key, expectedServer, alpn(List.of(Objects.requireNonNull(applicationProtocol, "applicationProtocol"))));
    }

    private SslContext clientContext(CertifiedKey key, SpiffeId expectedServer, ApplicationProtocolConfig protocols) {
        Objects.requireNonNull(expectedServer, "expectedServer");
        try {
            return configure(SslContextBuilder.forClient()
                    .keyManager(new MeshKeyManager(key)), key, Optional.of(expectedServer))
                    .applicationProtocolConfig(protocols)
                    .endpointIdentificationAlgorithm(null)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("building the client TLS context for " + key.identity() + " failed", e);
        }
    }

    /** Contexts that follow {@code source}: rebuilt on every rotation, newest for every new connection. */
    public TlsContexts follow(CertificateSource source) {
        return new TlsContexts(this, source);
    }

    /** A verifier for the bundle that came with {@code key}. */
    public PeerVerifier verifier(CertifiedKey key) {
        return PeerVerifier.of(trustDomain, key.trustBundle(), rejections, clock, revocations);
    }

    private SslContextBuilder configure(SslContextBuilder builder, CertifiedKey key, Optional<SpiffeId> expectedServer) {
        return builder.sslProvider(provider)
                .protocols(PROTOCOLS)
                .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(alpn)
                .trustManager(new SpiffeTrustManager(verifier(key), expectedServer));
    }

    private static ApplicationProtocolConfig alpn(List<String> protocols) {
        return protocols.isEmpty() ? ApplicationProtocolConfig.DISABLED
                : new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        // Neither side fails the handshake over ALPN: no agreement means HTTP/1.1.
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        protocols);
    }

    @Override
    public String toString() {
        return "MeshTls{trustDomain=" + trustDomain + ", provider=" + provider + "}";
    }

    /** Builds a {@link MeshTls}. */
    public static final class Builder {
        private String trustDomain;
        private SslProvider provider;
        private PeerRejections rejections = new PeerRejections();
        private Clock clock = Clock.systemUTC();
        private RevocationCheck revocations = RevocationCheck.none();
        private List<String> applicationProtocols = DEFAULT_APPLICATION_PROTOCOLS;

        private Builder() {
        }

        /**
         * ALPN protocols, preferred first; {@link #DEFAULT_APPLICATION_PROTOCOLS} ({@code h2}, {@code http/1.1})
         * by default, none for opaque TCP listeners.
         */
        public Builder applicationProtocols(List<String> protocols) {
            this.applicationProtocols = List.copyOf(protocols);
            return this;
        }

        /** The mesh's SPIFFE trust domain. Required. */
        public Builder trustDomain(String trustDomain) {
            this.trustDomain = trustDomain;
            return this;
        }

        /** Forces a provider; by default OPENSSL when {@link OpenSsl#isAvailable()}, else JDK. */
        public Builder provider(SslProvider provider) {
            this.provider = provider;
            return this;
        }

        /** Where refusals are counted; a new instance by default. */
        public Builder rejections(PeerRejections rejections) {
            this.rejections = Objects.requireNonNull(rejections, "rejections");
            return this;
        }

        /** The clock validity windows are judged by; system UTC by default. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Which peer leaves are revoked, asked on every handshake (such as
         * {@link dev.trellis.ca.client.RevocationListClient}); {@link RevocationCheck#none()} by default.
         */
        public Builder revocations(RevocationCheck revocations) {
            this.revocations = Objects.requireNonNull(revocations, "revocations");
            return this;
        }

        public MeshTls build() {
            if (trustDomain == null || trustDomain.isBlank()) {
                throw new IllegalArgumentException("trustDomain: " + trustDomain + " (expected: the mesh's trust domain, such as example.org)");
            }
            if (provider == SslProvider.OPENSSL_REFCNT) {
                throw new IllegalArgumentException("provider: OPENSSL_REFCNT (expected: OPENSSL or JDK; contexts here are garbage-collected)");
            }
            if (provider == SslProvider.OPENSSL && !OpenSsl.isAvailable()) {
                throw new IllegalArgumentException("provider: OPENSSL (expected: JDK, OpenSSL did not load: "
                        + OpenSsl.unavailabilityCause() + ")");
            }
            return new MeshTls(this);
        }
    }
}
