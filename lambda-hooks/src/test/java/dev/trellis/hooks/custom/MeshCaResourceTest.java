package dev.trellis.hooks.custom;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trellis.ca.pki.Pem;
import dev.trellis.hooks.EventJson;
import dev.trellis.hooks.Fixtures;
import dev.trellis.testing.aws.AwsEmulator;
import dev.trellis.testing.aws.WithAwsEmulator;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;

/**
 * Create, Update and Delete of the mesh CA resource against moto's Secrets Manager, with
 * CloudFormation requests in the documented shape (fixtures under {@code custom/}).
 */
@WithAwsEmulator
class MeshCaResourceTest {

    private final AwsEmulator aws;
    private final SecretsManagerClient secrets;
    private MeshCaResource resource;

    MeshCaResourceTest(AwsEmulator aws) {
        this.aws = aws;
        this.secrets = aws.clients().secretsManager();
    }

    @BeforeEach
    void fresh() {
        aws.reset();
        resource = MeshCaResource.of(secrets);
    }

    @Nested
    class Create {

        @Test
        void givenACreateRequest_whenHandled_thenTheRootIsStoredInSecretsManagerAndItsArnIsThePhysicalId() throws Exception {
            JsonNode response = invoke(request("custom/create.json"));

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
        }
    }

    private static ObjectNode request(String fixture) {
        return EventJson.readObject(Fixtures.text(fixture));
    }

    /** The response, as the JSON CloudFormation would get. */
    private JsonNode invoke(ObjectNode request) {
        return resource.handle(CustomResourceRequest.fromJson(request)).toJson();
    }

    private static X509Certificate rootOf(JsonNode response) {
        List<X509Certificate> certificates = Pem.decodeCertificates("RootCertificatePem",
                response.path("Data").path("RootCertificatePem").asText());
        assertThat(certificates).hasSize(1);
        return certificates.get(0);
    }
}
