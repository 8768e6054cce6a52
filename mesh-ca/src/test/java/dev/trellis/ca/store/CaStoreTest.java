package dev.trellis.ca.store;

import static dev.trellis.ca.testing.TestMesh.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.trellis.ca.authority.CaKeys;
import dev.trellis.ca.authority.MeshCa;
import dev.trellis.ca.pki.KeyPairs;
import dev.trellis.ca.pki.Pem;
import dev.trellis.ca.testing.TestMesh;
import dev.trellis.ca.tls.PeerRejections;
import dev.trellis.ca.tls.PeerVerifier;
import dev.trellis.testing.aws.AwsEmulator;
import dev.trellis.testing.aws.WithAwsEmulator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("CA stores: the mesh CA survives restarts")
class CaStoreTest {

    @Nested
    @WithAwsEmulator
    @DisplayName("Secrets Manager (moto)")
    class SecretsManager {
        private final AwsEmulator aws;

        SecretsManager(AwsEmulator aws) {
            this.aws = aws;
        }

        @Test
        void GIVEN_no_secret_WHEN_the_CA_starts_THEN_it_creates_the_secret_and_a_second_CA_reads_the_same_root_and_key() throws Exception {
            CaStore store = CaStore.secretsManager(aws.clients().secretsManager(), "trellis/shop/mesh-ca");
            MeshCa first = ca(store);

            MeshCa second = ca(CaStore.secretsManager(aws.clients().secretsManager(), "trellis/shop/mesh-ca"));

            assertThat(second.activeRoot()).isEqualTo(first.activeRoot());
            X509Certificate leaf = second.issue(KeyPairs.generateP256().getPublic(), id("orders")).leaf();
            leaf.verify(first.activeRoot().getPublicKey());
            String secret = aws.clients().secretsManager().getSecretValue(r -> r.secretId("trellis/shop/mesh-ca")).secretString();
            JsonNode json = new ObjectMapper().readTree(secret);
            assertThat(json.path("format").asText()).isEqualTo("trellis-mesh-ca/v1");
            assertThat(json.path("active").path("certificate").asText()).startsWith("-----BEGIN CERTIFICATE-----");
            assertThat(json.path("active").path("privateKey").asText()).startsWith("-----BEGIN PRIVATE KEY-----");
        }

        @Test
        void GIVEN_a_rotation_WHEN_saved_THEN_the_secret_holds_the_new_active_root_and_the_retiring_one() {
            CaStore store = CaStore.secretsManager(aws.clients().secretsManager(), "trellis/shop/rotated");
            MeshCa ca = ca(store);
            X509Certificate oldRoot = ca.activeRoot();

            X509Certificate newRoot = ca.rotate();

            CaMaterial stored = CaStore.secretsManager(aws.clients().secretsManager(), "trellis/shop/rotated").load().orElseThrow();
            assertThat(stored.active().certificate()).isEqualTo(newRoot);
            assertThat(stored.retiring()).extracting(RetiringRoot::certificate).containsExactly(oldRoot);
        }

        @Test
        void GIVEN_a_secret_that_is_not_CA_material_WHEN_loaded_THEN_refused_naming_the_secret_and_the_format() {
            aws.clients().secretsManager().createSecret(r -> r.name("trellis/shop/garbage").secretString("{\"password\":\"x\"}"));

            assertThatThrownBy(() -> CaStore.secretsManager(aws.clients().secretsManager(), "trellis/shop/garbage").load())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("secret trellis/shop/garbage.format: missing (expected: \"trellis-mesh-ca/v1\")");
        }

        @Test
        void GIVEN_KMS_keys_WHEN_the_CA_signs_THEN_the_root_key_is_the_KMS_key_and_no_private_key_is_stored() throws Exception {
            CaStore store = CaStore.secretsManager(aws.clients().secretsManager(), "trellis/shop/kms");
            MeshCa ca = MeshCa.builder().trustDomain(TestMesh.TRUST_DOMAIN).mesh(TestMesh.MESH).store(store)
                    .keys(CaKeys.kms(aws.clients().kms())).build();

            CaMaterial stored = store.load().orElseThrow();
            assertThat(stored.active().key()).isInstanceOf(KeyReference.KmsKey.class);
            String keyId = ((KeyReference.KmsKey) stored.active().key()).keyId();
            byte[] kmsPublicKey = aws.clients().kms().getPublicKey(r -> r.keyId(keyId)).publicKey().asByteArray();
            assertThat(ca.activeRoot().getPublicKey().getEncoded()).isEqualTo(kmsPublicKey);
            ca.activeRoot().verify(ca.activeRoot().getPublicKey());
            var leaf = ca.issue(KeyPairs.generateP256().getPublic(), id("orders"));
            assertThat(PeerVerifier.of(TestMesh.TRUST_DOMAIN, ca.trustBundle(), new PeerRejections())
                    .verify(leaf.chain(), Optional.of(id("orders")))).isEqualTo(id("orders"));
            assertThat(aws.clients().secretsManager().getSecretValue(r -> r.secretId("trellis/shop/kms")).secretString())
                    .doesNotContain("PRIVATE KEY").contains("\"kmsKeyId\"");
        }
    }

    @Nested
    @DisplayName("local file")
    class LocalFile {
        @TempDir
        Path directory;

        @Test
        void GIVEN_a_file_store_WHEN_the_CA_starts_twice_THEN_the_second_reads_the_first_root_from_an_owner_only_file() throws Exception {
            Path file = directory.resolve("ca/mesh-ca.json");
            MeshCa first = ca(CaStore.file(file));

            MeshCa second = ca(CaStore.file(file));

            assertThat(second.activeRoot()).isEqualTo(first.activeRoot());
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            assertThat(Pem.decodeCertificates("bundle", second.trustBundlePem())).containsExactly(first.activeRoot());
        }

        @Test
        void GIVEN_a_file_that_is_not_JSON_WHEN_loaded_THEN_refused_naming_the_file() throws Exception {
            Path file = directory.resolve("broken.json");
            Files.writeString(file, "-----BEGIN CERTIFICATE-----");

            assertThatThrownBy(() -> CaStore.file(file).load())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(file.toAbsolutePath() + ": not JSON (expected: a trellis-mesh-ca/v1 document)");
        }
    }

    private static MeshCa ca(CaStore store) {
        return MeshCa.builder().trustDomain(TestMesh.TRUST_DOMAIN).mesh(TestMesh.MESH).store(store).build();
    }
}
