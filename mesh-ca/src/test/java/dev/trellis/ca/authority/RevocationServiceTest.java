package dev.trellis.ca.authority;

import static dev.trellis.ca.testing.TestMesh.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.ca.pki.KeyPairs;
import dev.trellis.ca.testing.TestMesh;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RevocationService: POST /v1/revocations revokes for the admin token only")
class RevocationServiceTest {

    private static final String ADMIN_TOKEN = "admin-token-0123456789";

    private final TestMesh mesh = new TestMesh();
    private final RevocationService service = RevocationService.of(mesh.ca, ADMIN_TOKEN);
    private final X509Certificate orders = mesh.ca.issue(KeyPairs.generateP256().getPublic(), id("orders")).leaf();

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private String serialBody() {
        return "{\"serial\":\"" + orders.getSerialNumber().toString(16) + "\"}";
    }

    @Test
    void GIVEN_no_authorization_header_WHEN_a_revocation_is_posted_THEN_401_and_nothing_is_revoked() {
        HttpReply reply = service.handle(null, json(serialBody()));

        assertThat(reply.status()).isEqualTo(401);
        assertThat(new String(reply.body(), StandardCharsets.UTF_8))
                .contains("authorization: none (expected: Bearer <the controller's admin token>)");
        assertThat(mesh.ca.revoked()).isEmpty();
    }

    @Test
    void GIVEN_a_wrong_bearer_token_WHEN_a_revocation_is_posted_THEN_401_without_echoing_the_token_and_nothing_is_revoked() {
        HttpReply reply = service.handle("Bearer not-the-admin-token-xyz", json(serialBody()));

        assertThat(reply.status()).isEqualTo(401);
        assertThat(new String(reply.body(), StandardCharsets.UTF_8)).contains("[redacted]").doesNotContain("not-the-admin-token");
        assertThat(mesh.ca.revoked()).isEmpty();
    }

    @Test
    void GIVEN_the_admin_token_WHEN_a_serial_is_posted_THEN_200_names_it_and_the_CRL_lists_it() {
        HttpReply reply = service.handle("Bearer " + ADMIN_TOKEN, json(serialBody()));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(new String(reply.body(), StandardCharsets.UTF_8))
                .contains("\"serial\":\"" + orders.getSerialNumber().toString(16) + "\"", "\"identity\":\"" + id("orders").uri() + "\"");
        assertThat(mesh.ca.revocationList().isRevoked(orders)).isTrue();
    }

    @Test
    void GIVEN_the_admin_token_WHEN_a_service_is_posted_THEN_its_leaves_are_revoked() {
        HttpReply reply = service.handle("Bearer " + ADMIN_TOKEN, json("{\"service\":\"orders\"}"));

        assertThat(reply.status()).isEqualTo(200);
        assertThat(mesh.ca.revocationList().isRevoked(orders)).isTrue();
    }

    @Test
    void GIVEN_the_admin_token_WHEN_the_body_names_both_a_serial_and_a_service_THEN_400_names_what_was_expected() {
        HttpReply reply = service.handle("Bearer " + ADMIN_TOKEN, json("{\"serial\":\"1f\",\"service\":\"orders\"}"));

        assertThat(reply.status()).isEqualTo(400);
        assertThat(new String(reply.body(), StandardCharsets.UTF_8))
                .contains("(expected: exactly one of {\\\"serial\\\": \\\"<hex>\\\"}, {\\\"service\\\": \\\"<name>\\\"})");
        assertThat(mesh.ca.revoked()).isEmpty();
    }

    @Test
    void GIVEN_the_admin_token_WHEN_the_serial_is_not_hex_THEN_400() {
        HttpReply reply = service.handle("Bearer " + ADMIN_TOKEN, json("{\"serial\":\"xyz\"}"));

        assertThat(reply.status()).isEqualTo(400);
        assertThat(new String(reply.body(), StandardCharsets.UTF_8)).contains("serial: \\\"xyz\\\" (expected: the certificate's serial number in hex)");
    }

    @Test
    void GIVEN_a_short_admin_token_WHEN_the_service_is_made_THEN_it_is_refused() {
        assertThatThrownBy(() -> RevocationService.of(mesh.ca, "short"))
                .hasMessage("admin token: 5 characters (expected: at least 16 characters)");
    }
}
