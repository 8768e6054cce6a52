package dev.trellis.hooks.custom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trellis.ca.pki.Pem;
import dev.trellis.hooks.EventJson;
import dev.trellis.hooks.Fixtures;
import dev.trellis.hooks.MalformedEventException;
import dev.trellis.hooks.RecordingContext;
import dev.trellis.testing.aws.AwsEmulator;
import dev.trellis.testing.aws.WithAwsEmulator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;

/**
 * The mesh CA custom resource against moto's Secrets Manager, with CloudFormation requests in
 * the documented shape (fixtures under {@code custom/}) and a loopback server standing in for
 * the pre-signed S3 response URL.
 */
@WithAwsEmulator
class MeshCaResourceHandlerTest {

    private final AwsEmulator aws;
    private final SecretsManagerClient secrets;
    private final RecordingContext context = new RecordingContext("trellis-mesh-ca-resource");
    private ResponseUrlServer s3;
    private MeshCaResourceHandler handler;

    MeshCaResourceHandlerTest(AwsEmulator aws) {
        this.aws = aws;
        this.secrets = aws.clients().secretsManager();
    }

    @BeforeEach
    void fresh() {
        aws.reset();
        s3 = new ResponseUrlServer();
        handler = new MeshCaResourceHandler(aws.clients(), CloudFormationResponder.retrying(2, Duration.ofMillis(10)));
    }

    @AfterEach
    void stop() {
        s3.close();
    }

    @Nested
    class Create {

        @Test
        void givenACreateRequest_whenHandled_thenTheRootIsStoredInSecretsManagerAndSuccessIsPutToTheUrl() throws Exception {
            JsonNode response = invoke(request("custom/create.json"));

            assertThat(s3.received()).singleElement().satisfies(put -> {
                assertThat(put.method()).isEqualTo("PUT");
                assertThat(put.json()).isEqualTo(response);
            });
            assertThat(response.path("Status").asText()).isEqualTo("SUCCESS");
            assertThat(response.path("RequestId").asText()).isEqualTo("0f9d7e5a-6c51-4d0e-9c0a-3a1f2e4b5c6d");
            assertThat(response.path("LogicalResourceId").asText()).isEqualTo("MeshCa");
            String arn = response.path("PhysicalResourceId").asText();
            DescribeSecretResponse secret = secrets.describeSecret(r -> r.secretId(arn));
            assertThat(secret.name()).matches("trellis/shop/mesh-ca-[0-9a-f]{8}");
            assertThat(response.path("Data").path("SecretArn").asText()).isEqualTo(arn);
            JsonNode stored = EventJson.readObject(secrets.getSecretValue(r -> r.secretId(arn)).secretString());
            assertThat(stored.path("format").asText()).isEqualTo("trellis-mesh-ca/v1");
            assertThat(stored.path("active").path("privateKey").asText()).startsWith("-----BEGIN PRIVATE KEY-----");
            assertThat(response.path("Data").toString()).doesNotContain("PRIVATE KEY");

            X509Certificate root = rootOf(response);
            assertThat(root.getBasicConstraints()).isGreaterThanOrEqualTo(0);
            root.verify(root.getPublicKey()); // self-signed
            assertThat(root.getSubjectAlternativeNames()).isNotNull()
                    .anySatisfy(san -> assertThat(san.get(1).toString()).startsWith("spiffe://shop.example.com"));
            assertThat(response.path("Data").path("TrustDomain").asText()).isEqualTo("shop.example.com");
            assertThat(response.path("Data").path("RootCertificateSha256").asText()).hasSize(64);
            assertThat(response.toString().getBytes(StandardCharsets.UTF_8).length)
                    .isLessThan(CustomResourceResponse.MAX_BODY_BYTES);
        }

        @Test
        void givenTheSameCreateDeliveredTwice_whenHandled_thenBothAnswerTheSameCa() {
            JsonNode first = invoke(request("custom/create.json"));
            JsonNode second = invoke(request("custom/create.json"));

            assertThat(second.path("Status").asText()).isEqualTo("SUCCESS");
            assertThat(second.path("PhysicalResourceId")).isEqualTo(first.path("PhysicalResourceId"));
            assertThat(second.path("Data").path("RootCertificateSha256")).isEqualTo(first.path("Data").path("RootCertificateSha256"));
            assertThat(secrets.listSecrets(r -> { }).secretList()).hasSize(1);
        }

        @Test
        void givenASecretNameAnotherSecretHas_whenCreated_thenFailedAndThatSecretIsLeftAlone() {
            secrets.createSecret(r -> r.name("teams/payments/ca").secretString("{\"theirs\":true}"));
            ObjectNode request = request("custom/create.json");
            ((ObjectNode) request.path("ResourceProperties")).put("SecretName", "teams/payments/ca");

            JsonNode response = invoke(request);

            assertThat(response.path("Status").asText()).isEqualTo("FAILED");
            assertThat(response.path("Reason").asText()).isEqualTo("ResourceProperties.SecretName: teams/payments/ca"
                    + " (expected: a secret this resource owns, tagged trellis.dev/mesh-ca-owner="
                    + "arn:aws:cloudformation:us-east-1:123456789012:stack/shop-mesh/5b3d7f60-cb7a-11f0-9e3c-0e4f5c9a1b2d/MeshCa;"
                    + " found no such tag, so it is left alone)");
            assertThat(response.path("PhysicalResourceId").asText()).isEqualTo(MeshCaResource.NOT_CREATED);
            assertThat(secrets.getSecretValue(r -> r.secretId("teams/payments/ca")).secretString()).isEqualTo("{\"theirs\":true}");
        }

        @Test
        void givenNoMeshName_whenCreated_thenFailedNamingThePropertyAndNothingIsMade() {
            ObjectNode request = request("custom/create.json");
            ((ObjectNode) request.path("ResourceProperties")).remove("MeshName");

            JsonNode response = invoke(request);

            assertThat(response.path("Status").asText()).isEqualTo("FAILED");
            assertThat(response.path("Reason").asText())
                    .isEqualTo("ResourceProperties.MeshName: missing (expected: the mesh name, such as shop)");
            assertThat(secrets.listSecrets(r -> { }).secretList()).isEmpty();
        }

        @Test
        void givenARootLifetimeBelowAWeek_whenCreated_thenFailedNamingIt() {
            ObjectNode request = request("custom/create.json");
            ((ObjectNode) request.path("ResourceProperties")).put("RootLifetimeDays", "3");

            JsonNode response = invoke(request);

            assertThat(response.path("Reason").asText())
                    .isEqualTo("ResourceProperties.RootLifetimeDays: \"3\" (expected: a whole number of days, 7..36500)");
        }
    }

    @Nested
    class Update {

        @Test
        void givenOnlyTheRootLifetimeChanged_whenUpdated_thenTheSameCaKeepsItsPhysicalId() {
            JsonNode created = invoke(request("custom/create.json"));
            String arn = created.path("PhysicalResourceId").asText();

            JsonNode updated = invoke(request("custom/update.json").put("PhysicalResourceId", arn));

            assertThat(updated.path("Status").asText()).isEqualTo("SUCCESS");
            assertThat(updated.path("PhysicalResourceId").asText()).isEqualTo(arn);
            assertThat(updated.path("Data").path("RootCertificateSha256")).isEqualTo(created.path("Data").path("RootCertificateSha256"));
        }

        @Test
        void givenANewTrustDomain_whenUpdated_thenANewCaReplacesItUnderANewIdAndTheOldOneWaitsForDelete() {
            JsonNode created = invoke(request("custom/create.json"));
            String oldArn = created.path("PhysicalResourceId").asText();
            ObjectNode request = request("custom/update.json").put("PhysicalResourceId", oldArn);
            ((ObjectNode) request.path("ResourceProperties")).put("TrustDomain", "shop.example.org");

            JsonNode updated = invoke(request);

            assertThat(updated.path("Status").asText()).isEqualTo("SUCCESS");
            assertThat(updated.path("PhysicalResourceId").asText()).isNotEqualTo(oldArn);
            assertThat(updated.path("Data").path("TrustDomain").asText()).isEqualTo("shop.example.org");
            assertThat(updated.path("Data").path("RootCertificateSha256")).isNotEqualTo(created.path("Data").path("RootCertificateSha256"));
            assertThat(secrets.describeSecret(r -> r.secretId(oldArn)).deletedDate()).isNull();
        }

        @Test
        void givenANewTrustDomainUnderTheSameExplicitSecretName_whenUpdated_thenFailedAndTheIdIsKept() {
            ObjectNode create = request("custom/create.json");
            ((ObjectNode) create.path("ResourceProperties")).put("SecretName", "trellis/shop/ca");
            String arn = invoke(create).path("PhysicalResourceId").asText();
            ObjectNode request = request("custom/update.json").put("PhysicalResourceId", arn);
            ((ObjectNode) request.path("ResourceProperties")).put("SecretName", "trellis/shop/ca").put("TrustDomain", "shop.example.org");
            ((ObjectNode) request.path("OldResourceProperties")).put("SecretName", "trellis/shop/ca");

            JsonNode updated = invoke(request);

            assertThat(updated.path("Status").asText()).isEqualTo("FAILED");
            assertThat(updated.path("PhysicalResourceId").asText()).isEqualTo(arn);
            assertThat(updated.path("Reason").asText()).startsWith("ResourceProperties.SecretName: trellis/shop/ca (expected: a new name");
        }

        @Test
        void givenTheSecretWasDeletedByHand_whenUpdated_thenFailedSayingSo() {
            String arn = invoke(request("custom/create.json")).path("PhysicalResourceId").asText();
            secrets.deleteSecret(r -> r.secretId(arn).forceDeleteWithoutRecovery(true));

            JsonNode updated = invoke(request("custom/update.json").put("PhysicalResourceId", arn));

            assertThat(updated.path("Status").asText()).isEqualTo("FAILED");
            assertThat(updated.path("Reason").asText()).isEqualTo("PhysicalResourceId: " + arn
                    + " (expected: the mesh CA's secret; it no longer exists, deleted outside CloudFormation)");
        }
    }

    @Nested
    class Delete {

        @Test
        void givenACreatedCa_whenDeleted_thenItsSecretIsScheduledForDeletionAndADuplicateDeleteSucceeds() {
            String arn = invoke(request("custom/create.json")).path("PhysicalResourceId").asText();

            JsonNode deleted = invoke(request("custom/delete.json").put("PhysicalResourceId", arn));
            JsonNode again = invoke(request("custom/delete.json").put("PhysicalResourceId", arn));

            assertThat(deleted.path("Status").asText()).isEqualTo("SUCCESS");
            assertThat(deleted.path("PhysicalResourceId").asText()).isEqualTo(arn);
            assertThat(secrets.describeSecret(r -> r.secretId(arn)).deletedDate()).isNotNull();
            assertThat(again.path("Status").asText()).isEqualTo("SUCCESS");
        }

        @Test
        void givenAFailedCreate_whenItsDeleteArrives_thenSuccessAndNothingIsTouched() {
            secrets.createSecret(r -> r.name("unrelated").secretString("keep me"));

            JsonNode deleted = invoke(request("custom/delete.json").put("PhysicalResourceId", MeshCaResource.NOT_CREATED));

            assertThat(deleted.path("Status").asText()).isEqualTo("SUCCESS");
            assertThat(secrets.describeSecret(r -> r.secretId("unrelated")).deletedDate()).isNull();
        }

        @Test
        void givenASecretThisResourceDoesNotOwn_whenDeleted_thenFailedAndTheSecretIsKept() {
            String arn = secrets.createSecret(r -> r.name("teams/payments/ca").secretString("{}")).arn();

            JsonNode deleted = invoke(request("custom/delete.json").put("PhysicalResourceId", arn));

            assertThat(deleted.path("Status").asText()).isEqualTo("FAILED");
            assertThat(deleted.path("Reason").asText()).startsWith("PhysicalResourceId: " + arn + " (expected: a secret this resource owns");
            assertThat(secrets.describeSecret(r -> r.secretId(arn)).deletedDate()).isNull();
        }

        @Test
        void givenASecretAlreadyGone_whenDeleted_thenSuccess() {
            JsonNode deleted = invoke(request("custom/delete.json"));

            assertThat(deleted.path("Status").asText()).isEqualTo("SUCCESS");
            assertThat(s3.received()).hasSize(1);
        }
    }

    @Nested
    class UnreadableRequests {

        @Test
        void givenAnUnknownRequestType_whenHandled_thenFailedIsStillPutToTheUrl() {
            JsonNode response = invoke(request("custom/create.json").put("RequestType", "Replace"));

            assertThat(response.path("Status").asText()).isEqualTo("FAILED");
            assertThat(response.path("Reason").asText()).isEqualTo("RequestType: \"Replace\" (expected: Create, Update, Delete)");
            assertThat(response.path("PhysicalResourceId").asText()).isEqualTo(MeshCaResource.NOT_CREATED);
            assertThat(response.path("RequestId").asText()).isEqualTo("0f9d7e5a-6c51-4d0e-9c0a-3a1f2e4b5c6d");
            assertThat(s3.received()).hasSize(1);
        }

        @Test
        void givenAnUpdateWithoutPhysicalId_whenHandled_thenFailedNamingIt() {
            ObjectNode request = request("custom/update.json");
            request.remove("PhysicalResourceId");

            JsonNode response = invoke(request);

            assertThat(response.path("Reason").asText())
                    .isEqualTo("PhysicalResourceId: missing (expected: the id a Create answered, on Update)");
        }

        @Test
        void givenNoResponseUrl_whenHandled_thenThrownBecauseThereIsNoOneToAnswer() {
            ObjectNode request = request("custom/create.json");
            request.remove("ResponseURL");

            assertThatThrownBy(() -> invoke(request))
                    .isInstanceOf(MalformedEventException.class)
                    .hasMessage("ResponseURL: missing (expected: the pre-signed URL to PUT the response to)");
            assertThat(secrets.listSecrets(r -> { }).secretList()).isEmpty();
        }
    }

    private ObjectNode request(String fixture) {
        return EventJson.readObject(Fixtures.text(fixture)).put("ResponseURL", s3.url().toString());
    }

    private JsonNode invoke(JsonNode request) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(request.toString().getBytes(StandardCharsets.UTF_8)), output, context);
        return EventJson.readObject(output.toString(StandardCharsets.UTF_8));
    }

    private static X509Certificate rootOf(JsonNode response) {
        List<X509Certificate> certificates = Pem.decodeCertificates("RootCertificatePem",
                response.path("Data").path("RootCertificatePem").asText());
        assertThat(certificates).hasSize(1);
        return certificates.get(0);
    }
}
