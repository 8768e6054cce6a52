package dev.trellis.ca.identity;

import static dev.trellis.ca.testing.TestMesh.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.ca.api.IdentityProof;
import dev.trellis.ca.api.IssueJson;
import dev.trellis.ca.api.IssueRequest;
import dev.trellis.ca.authority.CertificateAuthorityService;
import dev.trellis.ca.authority.HttpReply;
import dev.trellis.ca.client.CertificateClient;
import dev.trellis.ca.client.IssueFailedException;
import dev.trellis.ca.client.IssueTransport;
import dev.trellis.ca.client.ProofSource;
import dev.trellis.ca.testing.Csr;
import dev.trellis.ca.tls.CertifiedKey;
import java.util.concurrent.TimeUnit;
import dev.trellis.ca.testing.TestMesh;
import dev.trellis.testing.aws.AwsEmulator;
import dev.trellis.testing.aws.WithAwsEmulator;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.sts.model.Credentials;

@WithAwsEmulator
@DisplayName("aws-sts proof: a presigned GetCallerIdentity, replayed by the CA to STS (moto)")
class AwsStsProofTest {

    private static final String SERVER_ID = "trellis-ca.shop";

    private final AwsEmulator aws;
    private final AwsStsVerifier verifier;

    AwsStsProofTest(AwsEmulator aws) {
        this.aws = aws;
        this.verifier = verifierFor(aws.endpoint(), Clock.systemUTC());
    }

    @Test
    void GIVEN_a_task_role_mapped_to_orders_WHEN_its_presigned_request_is_verified_THEN_the_identity_is_orders() throws Exception {
        IdentityProof.AwsSts proof = AwsStsProofs.sign(taskRole("orders-task"), aws.region(), aws.endpoint(), SERVER_ID);

        assertThat(verifier.verify(proof, id("orders"))).isEqualTo(id("orders"));
        assertThat(proof.headers()).containsKeys("Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Trellis-Server-Id");
    }

    @Test
    void GIVEN_a_proof_for_orders_WHEN_its_CSR_asks_for_payments_THEN_the_CA_answers_403_naming_both() {
        CertificateAuthorityService service = CertificateAuthorityService.of(new TestMesh().ca,
                IdentityVerifiers.builder().awsSts(verifier).build());
        IdentityProof.AwsSts proof = AwsStsProofs.sign(taskRole("orders-task"), aws.region(), aws.endpoint(), SERVER_ID);

        HttpReply reply = service.handle(IssueJson.write(new IssueRequest(Csr.pem(id("payments")), proof)));

        assertThat(reply.status()).isEqualTo(403);
        assertThat(IssueJson.readError(reply.body())).isEqualTo("identity: spiffe://example.org/mesh/shop/service/payments"
                + " (expected: the identity proven by the caller, spiffe://example.org/mesh/shop/service/orders)");
    }

    @Test
    void GIVEN_a_proof_for_orders_sent_through_the_JSON_codec_WHEN_the_CSR_asks_for_orders_THEN_200() {
        CertificateAuthorityService service = CertificateAuthorityService.of(new TestMesh().ca,
                IdentityVerifiers.builder().awsSts(verifier).build());
        IdentityProof.AwsSts proof = AwsStsProofs.sign(taskRole("orders-task"), aws.region(), aws.endpoint(), SERVER_ID);

        HttpReply reply = service.handle(IssueJson.write(new IssueRequest(Csr.pem(id("orders")), proof)));

        assertThat(reply.status()).as(new String(reply.body())).isEqualTo(200);
    }

    @Test
    void GIVEN_an_ECS_proxy_with_its_task_role_WHEN_its_certificate_client_starts_THEN_it_gets_a_certificate_for_its_service()
            throws Exception {
        CertificateAuthorityService service = CertificateAuthorityService.of(new TestMesh().ca,
                IdentityVerifiers.builder().awsSts(verifier).build());
        // The controller's route, without the socket: JSON in, status and JSON out.
        IssueTransport controller = request -> {
            HttpReply reply = service.handle(IssueJson.write(request));
            if (reply.status() != 200) {
                throw new IssueFailedException(reply.status(), IssueJson.readError(reply.body()), null);
            }
            return IssueJson.readResponse(reply.body());
        };
        try (CertificateClient proxy = CertificateClient.builder().identity(id("payments")).transport(controller)
                .proofs(ProofSource.awsSts(taskRole("payments-task"), aws.region(), aws.endpoint(), SERVER_ID)).build()) {
            CertifiedKey key = proxy.start().get(20, TimeUnit.SECONDS);

            assertThat(dev.trellis.ca.pki.SpiffeSans.uris(key.leaf())).containsExactly(id("payments").uri());
        }
    }

    @Test
    void GIVEN_a_role_not_in_the_map_WHEN_verified_THEN_refused_listing_the_mapped_roles() {
        IdentityProof.AwsSts proof = AwsStsProofs.sign(taskRole("batch-job"), aws.region(), aws.endpoint(), SERVER_ID);

        assertThatThrownBy(() -> verifier.verify(proof, id("orders")))
                .isInstanceOf(IdentityRefusedException.class)
                .hasMessage("caller.role: batch-job (expected: a role mapped to a mesh service, one of [orders-task, payments-task])");
    }

    @Test
    void GIVEN_long_term_user_credentials_WHEN_verified_THEN_refused_as_not_an_assumed_role() {
        IdentityProof.AwsSts proof = AwsStsProofs.sign(aws.credentialsProvider(), aws.region(), aws.endpoint(), SERVER_ID);

        assertThatThrownBy(() -> verifier.verify(proof, id("orders")))
                .isInstanceOf(IdentityRefusedException.class)
                .hasMessageStartingWith("caller: arn:aws:sts::123456789012:user/")
                .hasMessageEndingWith("(expected: an assumed role, arn:aws:sts::<account>:assumed-role/<role>/<session>)");
    }

    @Test
    void GIVEN_a_proof_whose_url_points_elsewhere_WHEN_verified_THEN_refused_before_any_request_is_sent() {
        URI elsewhere = URI.create("http://127.0.0.1:1/");
        IdentityProof.AwsSts proof = AwsStsProofs.sign(taskRole("orders-task"), aws.region(), elsewhere, SERVER_ID);

        assertThatThrownBy(() -> verifier.verify(proof, id("orders")))
                .isInstanceOf(IdentityRefusedException.class)
                .hasMessage("proof.url: http://127.0.0.1:1/ (expected: the configured STS endpoint, " + aws.endpoint() + ")")
                .extracting(e -> ((IdentityRefusedException) e).unavailable()).isEqualTo(false);
    }

    @Test
    void GIVEN_a_proof_signed_for_another_server_id_WHEN_verified_THEN_refused_naming_the_expected_id() {
        IdentityProof.AwsSts proof = AwsStsProofs.sign(taskRole("orders-task"), aws.region(), aws.endpoint(), "vault.example.org");

        assertThatThrownBy(() -> verifier.verify(proof, id("orders")))
                .hasMessage("proof.headers.X-Trellis-Server-Id: vault.example.org (expected: trellis-ca.shop)");
    }

    @Test
    void GIVEN_a_proof_whose_body_asks_for_another_action_WHEN_verified_THEN_refused() {
        IdentityProof.AwsSts signed = AwsStsProofs.sign(taskRole("orders-task"), aws.region(), aws.endpoint(), SERVER_ID);
        IdentityProof.AwsSts proof = new IdentityProof.AwsSts(signed.method(), signed.url(), signed.headers(),
                "Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::123456789012:role/admin");

        assertThatThrownBy(() -> verifier.verify(proof, id("orders")))
                .hasMessageStartingWith("proof.body: Action=AssumeRole")
                .hasMessageEndingWith("(expected: Action=GetCallerIdentity&Version=2011-06-15)");
    }

    @Test
    void GIVEN_a_proof_with_the_server_id_header_added_after_signing_WHEN_verified_THEN_refused_as_unsigned() {
        IdentityProof.AwsSts signed = AwsStsProofs.sign(taskRole("orders-task"), aws.region(), aws.endpoint(), "other");
        Map<String, List<String>> headers = new HashMap<>(signed.headers());
        headers.put("X-Trellis-Server-Id", List.of(SERVER_ID));
        String authorization = headers.get("Authorization").get(0).replace("x-trellis-server-id", "x-other");
        headers.put("Authorization", List.of(authorization));
        IdentityProof.AwsSts proof = new IdentityProof.AwsSts(signed.method(), signed.url(), headers, signed.body());

        assertThatThrownBy(() -> verifier.verify(proof, id("orders")))
                .hasMessageStartingWith("proof.headers.Authorization.SignedHeaders: ")
                .hasMessageEndingWith("(expected: to include x-trellis-server-id)");
    }

    @Test
    void GIVEN_a_proof_signed_an_hour_ago_WHEN_verified_THEN_refused_as_stale() {
        Clock anHourAgo = Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC);
        IdentityProof.AwsSts proof = AwsStsProofs.sign(taskRole("orders-task"), aws.region(), aws.endpoint(), SERVER_ID, anHourAgo);

        assertThatThrownBy(() -> verifier.verify(proof, id("orders")))
                .hasMessageStartingWith("proof.headers.X-Amz-Date: ")
                .hasMessageContaining("(expected: within PT15M of ");
    }

    @Test
    void GIVEN_STS_does_not_answer_WHEN_verified_THEN_unavailable_not_refused() {
        URI closed = URI.create("http://127.0.0.1:1");
        AwsStsVerifier toNowhere = verifierFor(closed, Clock.systemUTC());
        IdentityProof.AwsSts proof = AwsStsProofs.sign(taskRole("orders-task"), aws.region(), closed, SERVER_ID);

        assertThatThrownBy(() -> toNowhere.verify(proof, id("orders")))
                .isInstanceOf(IdentityRefusedException.class)
                .hasMessageStartingWith("STS at http://127.0.0.1:1: ")
                .extracting(e -> ((IdentityRefusedException) e).unavailable()).isEqualTo(true);
    }

    @Test
    void GIVEN_an_empty_role_map_WHEN_built_THEN_refused_saying_what_is_missing() {
        assertThatThrownBy(() -> AwsStsVerifier.builder().stsEndpoint(aws.endpoint()).serverId(SERVER_ID)
                .trustDomain("example.org").mesh("shop").build())
                .hasMessage("roleToService: empty (expected: at least one role mapped to a service)");
    }

    private static AwsStsVerifier verifierFor(URI endpoint, Clock clock) {
        return AwsStsVerifier.builder()
                .stsEndpoint(endpoint)
                .serverId(SERVER_ID)
                .trustDomain(TestMesh.TRUST_DOMAIN)
                .mesh(TestMesh.MESH)
                .mapRole("orders-task", "orders")
                .mapRole("payments-task", "payments")
                .timeout(Duration.ofSeconds(2))
                .clock(clock)
                .build();
    }

    /** What an ECS task gets from its container credentials endpoint: the task role's temporary credentials. */
    private AwsCredentialsProvider taskRole(String role) {
        Credentials credentials = aws.clients().sts().assumeRole(r -> r
                .roleArn("arn:aws:iam::123456789012:role/" + role)
                .roleSessionName("task-0123456789abcdef")).credentials();
        return StaticCredentialsProvider.create(AwsSessionCredentials.create(
                credentials.accessKeyId(), credentials.secretAccessKey(), credentials.sessionToken()));
    }
}
