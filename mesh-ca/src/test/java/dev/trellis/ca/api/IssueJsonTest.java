package dev.trellis.ca.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("IssueJson: the documented wire format of POST /v1/certificates")
class IssueJsonTest {

    @Test
    void GIVEN_the_documented_aws_sts_request_WHEN_read_THEN_every_field_arrives() {
        String json = """
                {"csrPem": "-----BEGIN CERTIFICATE REQUEST-----\\n...",
                 "proof": {"kind": "aws-sts", "method": "POST", "url": "https://sts.us-east-1.amazonaws.com",
                           "headers": {"Authorization": ["AWS4-HMAC-SHA256 Credential=..."], "X-Amz-Date": ["20261126T080000Z"]},
                           "body": "Action=GetCallerIdentity&Version=2011-06-15"}}
                """;

        IssueRequest request = IssueJson.readRequest(json.getBytes(StandardCharsets.UTF_8));

        assertThat(request.csrPem()).startsWith("-----BEGIN CERTIFICATE REQUEST-----");
        assertThat(request.proof()).isEqualTo(new IdentityProof.AwsSts("POST", "https://sts.us-east-1.amazonaws.com",
                Map.of("Authorization", List.of("AWS4-HMAC-SHA256 Credential=..."), "X-Amz-Date", List.of("20261126T080000Z")),
                "Action=GetCallerIdentity&Version=2011-06-15"));
    }

    @Test
    void GIVEN_each_proof_kind_WHEN_written_and_read_back_THEN_it_is_equal_and_carries_its_kind() {
        for (IdentityProof proof : List.of(new IdentityProof.KubernetesToken("eyJhbGciOi"),
                new IdentityProof.BootstrapToken("local-secret"),
                new IdentityProof.AwsSts("POST", "https://sts.amazonaws.com", Map.of(), "Action=GetCallerIdentity&Version=2011-06-15"))) {
            byte[] json = IssueJson.write(new IssueRequest("csr", proof));

            assertThat(new String(json, StandardCharsets.UTF_8)).contains("\"kind\":\"" + proof.kind() + "\"");
            assertThat(IssueJson.readRequest(json).proof()).isEqualTo(proof);
        }
    }

    @Test
    void GIVEN_a_response_WHEN_written_THEN_notAfter_is_an_ISO_instant_and_reads_back() {
        IssueResponse response = new IssueResponse("chain", "bundle", Instant.parse("2026-11-27T08:00:00Z"));

        byte[] json = IssueJson.write(response);

        assertThat(new String(json, StandardCharsets.UTF_8)).isEqualTo(
                "{\"certificateChainPem\":\"chain\",\"trustBundlePem\":\"bundle\",\"notAfter\":\"2026-11-27T08:00:00Z\"}");
        assertThat(IssueJson.readResponse(json)).isEqualTo(response);
    }

    @Test
    void GIVEN_a_request_without_proof_WHEN_read_THEN_refused_showing_the_expected_shape() {
        assertThatThrownBy(() -> IssueJson.readRequest("{\"csrPem\":\"x\"}".getBytes(StandardCharsets.UTF_8)))
                .hasMessage("proof: null (expected: {\"kind\": \"aws-sts|k8s-token|bootstrap\", ...})");
    }

    @Test
    void GIVEN_a_body_over_64_KiB_WHEN_read_THEN_refused_with_the_limit() {
        assertThatThrownBy(() -> IssueJson.readRequest(new byte[70_000]))
                .hasMessage("body: 70000 bytes (expected: at most 65536)");
    }

    @Test
    void GIVEN_tokens_in_proofs_WHEN_printed_THEN_they_are_redacted() {
        assertThat(new IdentityProof.BootstrapToken("s3cret")).hasToString("BootstrapToken[redacted]");
        assertThat(new IdentityProof.KubernetesToken("eyJ")).hasToString("KubernetesToken[redacted]");
    }
}
