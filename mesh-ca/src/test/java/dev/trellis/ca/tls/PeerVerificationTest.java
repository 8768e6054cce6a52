package dev.trellis.ca.tls;

import static dev.trellis.ca.testing.TestMesh.id;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.ca.testing.Loopback;
import dev.trellis.ca.testing.TestMesh;
import dev.trellis.spec.TlsMode;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("Peer verification: every bad certificate is refused in a real handshake, with its counted reason")
class PeerVerificationTest {

    private final TestMesh mesh = new TestMesh();
    private final CertifiedKey payments = mesh.certify("payments");
    private final Instant now = Instant.now();

    enum BadClient { EXPIRED, NOT_YET_VALID, SELF_SIGNED, WRONG_CA, NO_URI_SAN, TWO_URI_SANS, NOT_SPIFFE, OTHER_TRUST_DOMAIN }

    @ParameterizedTest(name = "{0}")
    @EnumSource(BadClient.class)
    void GIVEN_a_STRICT_server_WHEN_a_client_presents_a_bad_certificate_THEN_the_server_refuses_it_with_the_reason(BadClient bad)
            throws Exception {
        CertifiedKey client = switch (bad) {
            case EXPIRED -> mesh.leaf(now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1)), List.of(id("orders").uri()));
            case NOT_YET_VALID -> mesh.leaf(now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(2)), List.of(id("orders").uri()));
            case SELF_SIGNED -> mesh.selfSigned("orders");
            case WRONG_CA -> new TestMesh().certify("orders");
            case NO_URI_SAN -> mesh.leaf(now.minusSeconds(60), now.plusSeconds(3600), List.of());
            case TWO_URI_SANS -> mesh.leaf(now.minusSeconds(60), now.plusSeconds(3600), List.of(id("orders").uri(), id("admin").uri()));
            case NOT_SPIFFE -> mesh.leaf(now.minusSeconds(60), now.plusSeconds(3600), List.of("https://orders.example.org/"));
            case OTHER_TRUST_DOMAIN -> mesh.leaf(now.minusSeconds(60), now.plusSeconds(3600),
                    List.of("spiffe://evil.example.com/mesh/shop/service/orders"));
        };
        PeerRejection expected = switch (bad) {
            case EXPIRED -> PeerRejection.EXPIRED;
            case NOT_YET_VALID -> PeerRejection.NOT_YET_VALID;
            case SELF_SIGNED -> PeerRejection.SELF_SIGNED;
            case WRONG_CA -> PeerRejection.WRONG_CA;
            default -> PeerRejection.WRONG_SAN;
        };
        MeshTls serverTls = MeshTls.forTrustDomain(TestMesh.TRUST_DOMAIN);
        SslContext server = serverTls.serverContext(payments, TlsMode.STRICT);
        // The client trusts the mesh so that only the server's judgement is tested.
        SslContext clientContext = MeshTls.forTrustDomain(TestMesh.TRUST_DOMAIN).clientContext(
                new CertifiedKey(client.identity(), client.privateKey(), client.chain(), payments.trustBundle()), id("payments"));

        try (Loopback loopback = new Loopback(ch -> server.newHandler(ch.alloc()));
             Loopback.Client call = loopback.connect(ch -> clientContext.newHandler(ch.alloc()))) {
            call.handshake();
            Loopback.Accepted accepted = loopback.accepted.poll(5, TimeUnit.SECONDS);
            assertThat(accepted.handshakeSucceeded()).isFalse();
            assertThat(serverTls.rejections().count(expected)).isEqualTo(1);
            assertThat(serverTls.rejections().total()).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void GIVEN_orders_expects_payments_WHEN_the_server_is_shipping_THEN_the_client_refuses_it_as_the_wrong_identity(SslProvider provider)
            throws Exception {
        MeshTls tls = MeshTls.builder().trustDomain(TestMesh.TRUST_DOMAIN).provider(provider).build();
        SslContext server = tls.serverContext(mesh.certify("shipping"), TlsMode.STRICT);
        SslContext client = tls.clientContext(mesh.certify("orders"), id("payments"));
        try (Loopback loopback = new Loopback(ch -> server.newHandler(ch.alloc()));
             Loopback.Client call = loopback.connect(ch -> client.newHandler(ch.alloc()))) {
            assertThat(call.handshake()).isFalse();
            assertThat(call.ssl().handshakeFuture().cause()).hasStackTraceContaining(
                    "peer identity: spiffe://example.org/mesh/shop/service/shipping (expected: spiffe://example.org/mesh/shop/service/payments)");
            assertThat(tls.rejections().count(PeerRejection.WRONG_IDENTITY)).isEqualTo(1);
        }
    }

    @Test
    void GIVEN_a_PERMISSIVE_server_WHEN_a_client_presents_an_expired_certificate_THEN_it_is_refused_not_treated_as_anonymous()
            throws Exception {
        MeshTls serverTls = MeshTls.forTrustDomain(TestMesh.TRUST_DOMAIN);
        TlsContexts server = serverTls.follow(new dev.trellis.ca.testing.MutableCertificateSource(payments));
        CertifiedKey expired = mesh.leaf(now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(1)), List.of(id("orders").uri()));
        SslContext client = MeshTls.forTrustDomain(TestMesh.TRUST_DOMAIN).clientContext(expired, id("payments"));

        try (Loopback loopback = new Loopback(ch -> server.newInboundHandler(TlsMode.PERMISSIVE, ch.alloc()));
             Loopback.Client call = loopback.connect(ch -> client.newHandler(ch.alloc()))) {
            call.handshake();
            assertThat(loopback.accepted.poll(5, TimeUnit.SECONDS).handshakeSucceeded()).isFalse();
            assertThat(serverTls.rejections().count(PeerRejection.EXPIRED)).isEqualTo(1);
        }
    }

    @Test
    void GIVEN_an_expired_chain_WHEN_verified_THEN_the_message_names_the_field_the_value_and_what_was_expected() {
        PeerRejections rejections = new PeerRejections();
        CertifiedKey expired = mesh.leaf(Instant.parse("2020-01-01T00:00:00Z"), Instant.parse("2020-01-02T00:00:00Z"),
                List.of(id("orders").uri()));
        PeerVerifier verifier = PeerVerifier.of(TestMesh.TRUST_DOMAIN, mesh.ca.trustBundle(), rejections);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> verifier.verify(expired.chain(), java.util.Optional.empty()))
                .isInstanceOf(PeerRejectedException.class)
                .hasMessageStartingWith("peer certificate notAfter: 2020-01-02T00:00:00Z (expected: after ")
                .extracting(e -> ((PeerRejectedException) e).reason()).isEqualTo(PeerRejection.EXPIRED);
        assertThat(rejections.count(PeerRejection.EXPIRED)).isEqualTo(1);
    }

    @Test
    void GIVEN_a_good_chain_WHEN_verified_THEN_its_identity_is_returned_and_nothing_is_counted() throws Exception {
        PeerRejections rejections = new PeerRejections();
        PeerVerifier verifier = PeerVerifier.of(TestMesh.TRUST_DOMAIN, mesh.ca.trustBundle(), rejections);

        assertThat(verifier.verify(payments.chain(), java.util.Optional.of(id("payments")))).isEqualTo(id("payments"));
        assertThat(rejections.total()).isZero();
    }

    @Test
    void GIVEN_a_STRICT_server_with_a_revocation_check_WHEN_a_revoked_and_a_good_client_call_THEN_the_revoked_one_is_refused_as_REVOKED()
            throws Exception {
        CertifiedKey revoked = mesh.certify("orders");
        CertifiedKey good = mesh.certify("orders");
        mesh.ca.revoke(revoked.leaf().getSerialNumber());
        java.security.cert.X509CRL crl = mesh.ca.revocationList();
        MeshTls serverTls = MeshTls.builder().trustDomain(TestMesh.TRUST_DOMAIN).revocations(crl::isRevoked).build();
        SslContext server = serverTls.serverContext(payments, TlsMode.STRICT);
        MeshTls clientTls = MeshTls.forTrustDomain(TestMesh.TRUST_DOMAIN);

        try (Loopback loopback = new Loopback(ch -> server.newHandler(ch.alloc()))) {
            try (Loopback.Client call = loopback.connect(ch -> clientTls.clientContext(revoked, id("payments")).newHandler(ch.alloc()))) {
                call.handshake();
                assertThat(loopback.accepted.poll(5, TimeUnit.SECONDS).handshakeSucceeded()).isFalse();
                // TLS 1.3: the client learns of the refusal on its first read, as the certificate_revoked alert.
                call.channel.writeAndFlush(io.netty.buffer.Unpooled.copiedBuffer("hi", java.nio.charset.StandardCharsets.UTF_8));
                assertThat(call.channel.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
                assertThat(call.received).isEmpty();
            }
            try (Loopback.Client call = loopback.connect(ch -> clientTls.clientContext(good, id("payments")).newHandler(ch.alloc()))) {
                assertThat(call.handshake()).isTrue();
                assertThat(call.exchange("hi")).isEqualTo("orders:hi");
            }
        }
        assertThat(serverTls.rejections().count(PeerRejection.REVOKED)).isEqualTo(1);
        assertThat(serverTls.rejections().total()).isEqualTo(1);
    }

    @Test
    void GIVEN_a_revoked_chain_WHEN_verified_THEN_the_message_names_the_serial_and_the_identity() {
        PeerRejections rejections = new PeerRejections();
        mesh.ca.revoke(payments.leaf().getSerialNumber());
        PeerVerifier verifier = PeerVerifier.of(TestMesh.TRUST_DOMAIN, mesh.ca.trustBundle(), rejections,
                java.time.Clock.systemUTC(), mesh.ca.revocationList()::isRevoked);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> verifier.verify(payments.chain(), java.util.Optional.empty()))
                .isInstanceOf(PeerRejectedException.class)
                .hasMessageStartingWith("peer certificate serial: " + payments.leaf().getSerialNumber().toString(16)
                        + " of " + id("payments") + " (expected: not on the mesh CA's revocation list")
                .extracting(e -> ((PeerRejectedException) e).reason()).isEqualTo(PeerRejection.REVOKED);
        assertThat(rejections.count(PeerRejection.REVOKED)).isEqualTo(1);
    }

    @Test
    void GIVEN_two_open_inbound_connections_WHEN_one_caller_is_revoked_after_its_handshake_THEN_only_its_connection_is_closed()
            throws Exception {
        CertifiedKey revoked = mesh.certify("orders");
        CertifiedKey good = mesh.certify("shipping");
        TlsContexts server = MeshTls.forTrustDomain(TestMesh.TRUST_DOMAIN).follow(new dev.trellis.ca.testing.MutableCertificateSource(payments));
        MeshTls clientTls = MeshTls.forTrustDomain(TestMesh.TRUST_DOMAIN);

        try (Loopback loopback = new Loopback(ch -> server.newInboundHandler(TlsMode.STRICT, ch));
             Loopback.Client revokedCall = loopback.connect(ch -> clientTls.clientContext(revoked, id("payments")).newHandler(ch.alloc()));
             Loopback.Client goodCall = loopback.connect(ch -> clientTls.clientContext(good, id("payments")).newHandler(ch.alloc()))) {
            assertThat(revokedCall.exchange("before")).isEqualTo("orders:before");
            assertThat(goodCall.exchange("before")).isEqualTo("shipping:before");
            mesh.ca.revoke(revoked.leaf().getSerialNumber());
            SslContext before = server.server(TlsMode.STRICT);

            int closed = server.closeRevokedPeers(mesh.ca.revocationList()::isRevoked);

            assertThat(closed).isEqualTo(1);
            assertThat(server.server(TlsMode.STRICT)).as("a new context: no session from before is resumed").isNotSameAs(before);
            assertThat(revokedCall.channel.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(goodCall.exchange("after")).isEqualTo("shipping:after");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void GIVEN_a_STRICT_inbound_listener_WHEN_a_caller_sends_no_client_certificate_THEN_it_is_refused_and_counted_as_NO_CERTIFICATE(
            SslProvider provider) throws Exception {
        MeshTls serverTls = MeshTls.builder().trustDomain(TestMesh.TRUST_DOMAIN).provider(provider).build();
        TlsContexts server = serverTls.follow(new dev.trellis.ca.testing.MutableCertificateSource(payments));
        SslContext anonymous = io.netty.handler.ssl.SslContextBuilder.forClient()
                .trustManager(io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE).build();

        try (Loopback loopback = new Loopback(ch -> server.newInboundHandler(TlsMode.STRICT, ch));
             Loopback.Client call = loopback.connect(ch -> anonymous.newHandler(ch.alloc()))) {
            call.handshake();
            assertThat(loopback.accepted.poll(5, TimeUnit.SECONDS).handshakeSucceeded()).isFalse();
        }
        assertThat(serverTls.rejections().count(PeerRejection.NO_CERTIFICATE)).isEqualTo(1);
        assertThat(serverTls.rejections().total()).isEqualTo(1);
    }

    @Test
    void GIVEN_a_STRICT_inbound_listener_WHEN_a_caller_connects_and_hangs_up_without_a_handshake_THEN_nothing_is_counted()
            throws Exception {
        MeshTls serverTls = MeshTls.forTrustDomain(TestMesh.TRUST_DOMAIN);
        TlsContexts server = serverTls.follow(new dev.trellis.ca.testing.MutableCertificateSource(payments));

        try (Loopback loopback = new Loopback(ch -> server.newInboundHandler(TlsMode.STRICT, ch))) {
            Loopback.Client call = loopback.connect(null);
            call.close();
            assertThat(loopback.accepted.poll(5, TimeUnit.SECONDS).handshakeSucceeded()).isFalse();
        }
        assertThat(serverTls.rejections().total()).isZero();
    }
}
