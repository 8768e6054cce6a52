package dev.trellis.ca.tls;

import static dev.trellis.ca.testing.TestMesh.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.ca.testing.Loopback;
import dev.trellis.ca.testing.MutableCertificateSource;
import dev.trellis.ca.testing.TestMesh;
import dev.trellis.spec.TlsMode;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("MeshTls: mutual TLS between two proxies on loopback")
class MeshTlsTest {

    private final TestMesh mesh = new TestMesh();
    private final CertifiedKey orders = mesh.certify("orders");
    private final CertifiedKey payments = mesh.certify("payments");

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void GIVEN_two_mesh_certificates_WHEN_orders_calls_payments_THEN_mTLS_succeeds_and_payments_sees_the_caller_identity(
            SslProvider provider) throws Exception {
        MeshTls tls = MeshTls.builder().trustDomain(TestMesh.TRUST_DOMAIN).provider(provider).build();
        SslContext server = tls.serverContext(payments, TlsMode.STRICT);
        SslContext client = tls.clientContext(orders, id("payments"));
        try (Loopback loopback = new Loopback(ch -> server.newHandler(ch.alloc()));
             Loopback.Client call = loopback.connect(ch -> client.newHandler(ch.alloc(), "127.0.0.1", 0))) {
            assertThat(call.handshake()).isTrue();
            assertThat(call.exchange("hello")).isEqualTo("orders:hello");
            Loopback.Accepted accepted = loopback.accepted.poll(5, TimeUnit.SECONDS);
            assertThat(accepted.caller()).contains(id("orders"));
            assertThat(PeerIdentity.of(call.ssl().engine().getSession())).contains(id("payments"));
            assertThat(call.ssl().applicationProtocol()).isEqualTo(ApplicationProtocolNames.HTTP_2);
            assertThat(call.ssl().engine().getSession().getProtocol()).isEqualTo("TLSv1.3");
            assertThat(tls.rejections().total()).isZero();
        }
    }

    @Test
    void GIVEN_netty_tcnative_on_the_class_path_WHEN_no_provider_is_chosen_THEN_BoringSSL_is_used() {
        assertThat(OpenSsl.isAvailable()).as("netty-tcnative-boringssl-static loads here").isTrue();
        assertThat(MeshTls.forTrustDomain(TestMesh.TRUST_DOMAIN).provider()).isEqualTo(SslProvider.OPENSSL);
    }

    @Test
    void GIVEN_a_client_that_only_speaks_TLS_1_1_WHEN_it_connects_THEN_the_handshake_fails() throws Exception {
        MeshTls tls = MeshTls.builder().trustDomain(TestMesh.TRUST_DOMAIN).provider(SslProvider.JDK).build();
        SslContext server = tls.serverContext(payments, TlsMode.STRICT);
        SslContext old = io.netty.handler.ssl.SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL)
                .protocols("TLSv1.1").keyManager(orders.privateKey(), orders.chain().toArray(X509Certificate[]::new))
                .trustManager(io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE).build();
        try (Loopback loopback = new Loopback(ch -> server.newHandler(ch.alloc()));
             Loopback.Client call = loopback.connect(ch -> old.newHandler(ch.alloc()))) {
            assertThat(call.handshake()).isFalse();
        }
    }

    @Test
    void GIVEN_STRICT_WHEN_a_client_presents_no_certificate_THEN_the_handshake_fails() throws Exception {
        MeshTls tls = MeshTls.forTrustDomain(TestMesh.TRUST_DOMAIN);
        SslContext server = tls.serverContext(payments, TlsMode.STRICT);
        SslContext anonymous = anonymousClient(tls, payments);
        try (Loopback loopback = new Loopback(ch -> server.newHandler(ch.alloc()));
             Loopback.Client call = loopback.connect(ch -> anonymous.newHandler(ch.alloc()))) {
            call.handshake();
            Loopback.Accepted accepted = loopback.accepted.poll(5, TimeUnit.SECONDS);
            // TLS 1.3: the client may finish before the server reads its empty Certificate; the server must refuse and close.
            assertThat(accepted.handshakeSucceeded()).isFalse();
            assertThat(call.channel.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(call.received).isEmpty();
        }
    }

    @Test
    void GIVEN_PERMISSIVE_WHEN_a_client_presents_no_certificate_THEN_it_is_accepted_as_anonymous() throws Exception {
        MeshTls tls = MeshTls.forTrustDomain(TestMesh.TRUST_DOMAIN);
        TlsContexts contexts = tls.follow(new MutableCertificateSource(payments));
        SslContext anonymous = anonymousClient(tls, payments);
        try (Loopback loopback = new Loopback(ch -> contexts.newInboundHandler(TlsMode.PERMISSIVE, ch.alloc()));
             Loopback.Client call = loopback.connect(ch -> anonymous.newHandler(ch.alloc()))) {
            assertThat(call.handshake()).isTrue();
            assertThat(call.exchange("hello")).isEqualTo("anonymous:hello");
        }
    }

    @Test
    void GIVEN_PERMISSIVE_WHEN_a_client_speaks_plaintext_THEN_it_is_served_as_anonymous() throws Exception {
        TlsContexts contexts = MeshTls.forTrustDomain(TestMesh.TRUST_DOMAIN).follow(new MutableCertificateSource(payments));
        try (Loopback loopback = new Loopback(ch -> contexts.newInboundHandler(TlsMode.PERMISSIVE, ch.alloc()));
             Loopback.Client call = loopback.connect(null)) {
            assertThat(call.exchange("hello")).isEqualTo("anonymous:hello");
        }
    }

    @Test
    void GIVEN_PERMISSIVE_WHEN_a_mesh_client_connects_THEN_its_identity_is_still_verified_and_seen() throws Exception {
        MeshTls tls = MeshTls.forTrustDomain(TestMesh.TRUST_DOMAIN);
        TlsContexts server = tls.follow(new MutableCertificateSource(payments));
        TlsContexts client = tls.follow(new MutableCertificateSource(orders));
        try (Loopback loopback = new Loopback(ch -> server.newInboundHandler(TlsMode.PERMISSIVE, ch.alloc()));
             Loopback.Client call = loopback.connect(ch -> client.newOutboundHandler(id("payments"), ApplicationProtocolNames.HTTP_1_1, ch.alloc(), "127.0.0.1", 0))) {
            assertThat(call.handshake()).isTrue();
            assertThat(call.exchange("hello")).isEqualTo("orders:hello");
        }
    }

    @Test
    void GIVEN_a_TCP_listener_without_ALPN_WHEN_a_mesh_client_offering_h2_connects_THEN_the_handshake_succeeds_without_a_protocol()
            throws Exception {
        MeshTls tcp = MeshTls.builder().trustDomain(TestMesh.TRUST_DOMAIN).applicationProtocols(java.util.List.of()).build();
        SslContext server = tcp.serverContext(payments, TlsMode.STRICT);
        SslContext client = MeshTls.forTrustDomain(TestMesh.TRUST_DOMAIN).clientContext(orders, id("payments"));
        try (Loopback loopback = new Loopback(ch -> server.newHandler(ch.alloc()));
             Loopback.Client call = loopback.connect(ch -> client.newHandler(ch.alloc()))) {
            assertThat(call.handshake()).isTrue();
            assertThat(call.ssl().applicationProtocol()).isNull();
            assertThat(call.exchange("bytes")).isEqualTo("orders:bytes");
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {ApplicationProtocolNames.HTTP_1_1, ApplicationProtocolNames.HTTP_2})
    void GIVEN_a_server_offering_h2_and_http1_WHEN_a_client_connects_for_one_protocol_THEN_exactly_that_one_is_negotiated(
            String protocol) throws Exception {
        TlsContexts server = MeshTls.forTrustDomain(TestMesh.TRUST_DOMAIN).follow(new MutableCertificateSource(payments));
        TlsContexts client = MeshTls.forTrustDomain(TestMesh.TRUST_DOMAIN).follow(new MutableCertificateSource(orders));
        try (Loopback loopback = new Loopback(ch -> server.newInboundHandler(TlsMode.STRICT, ch.alloc()));
             Loopback.Client call = loopback.connect(ch -> client.newOutboundHandler(id("payments"), protocol, ch.alloc(), "127.0.0.1", 0))) {
            assertThat(call.handshake()).isTrue();
            assertThat(call.ssl().applicationProtocol()).isEqualTo(protocol);
        }
    }

    @Test
    void GIVEN_DISABLED_WHEN_a_server_context_is_asked_for_THEN_it_is_refused_with_the_reason() {
        assertThatThrownBy(() -> MeshTls.forTrustDomain(TestMesh.TRUST_DOMAIN).serverContext(payments, TlsMode.DISABLED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mode: DISABLED (expected: STRICT or PERMISSIVE; DISABLED has no TLS context)");
    }

    @Test
    void GIVEN_an_open_connection_WHEN_the_certificate_rotates_THEN_new_handshakes_use_the_new_certificate_and_the_open_one_keeps_working()
            throws Exception {
        MeshTls tls = MeshTls.forTrustDomain(TestMesh.TRUST_DOMAIN);
        MutableCertificateSource serverSource = new MutableCertificateSource(payments);
        TlsContexts server = tls.follow(serverSource);
        TlsContexts client = tls.follow(new MutableCertificateSource(orders));
        try (Loopback loopback = new Loopback(ch -> server.newInboundHandler(TlsMode.STRICT, ch.alloc()));
             Loopback.Client before = loopback.connect(ch -> client.newOutboundHandler(id("payments"), ApplicationProtocolNames.HTTP_1_1, ch.alloc(), "127.0.0.1", 0))) {
            assertThat(before.handshake()).isTrue();
            X509Certificate first = (X509Certificate) before.ssl().engine().getSession().getPeerCertificates()[0];

            CertifiedKey renewed = mesh.certify("payments");
            serverSource.rotate(renewed);

            try (Loopback.Client after = loopback.connect(ch -> client.newOutboundHandler(id("payments"), ApplicationProtocolNames.HTTP_1_1, ch.alloc(), "127.0.0.1", 0))) {
                assertThat(after.handshake()).isTrue();
                X509Certificate second = (X509Certificate) after.ssl().engine().getSession().getPeerCertificates()[0];
                assertThat(second).isEqualTo(renewed.leaf()).isNotEqualTo(first);
                assertThat(after.exchange("new")).isEqualTo("orders:new");
            }
            assertThat(before.channel.isActive()).isTrue();
            assertThat(before.exchange("still here")).isEqualTo("orders:still here");
        }
    }

    private static SslContext anonymousClient(MeshTls tls, CertifiedKey trustFrom) throws Exception {
        return io.netty.handler.ssl.SslContextBuilder.forClient().sslProvider(tls.provider())
                .trustManager(trustFrom.trustBundle().toArray(X509Certificate[]::new))
                .endpointIdentificationAlgorithm(null).build();
    }
}
