package dev.trellis.ca.store;

import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;

final class SecretsManagerCaStore implements CaStore {
    private final SecretsManagerClient secretsManager;
    private final String secretId;

    SecretsManagerCaStore(SecretsManagerClient secretsManager, String secretId) {
        this.secretsManager = Objects.requireNonNull(secretsManager, "secretsManager");
        if (secretId == null || secretId.isBlank()) {
            throw new IllegalArgumentException("secretId: " + secretId + " (expected: a secret name or ARN)");
        }
        this.secretId = secretId;
    }

    @Override
    public Optional<CaMaterial> load() {
        try {
            String json = secretsManager.getSecretValue(r -> r.secretId(secretId)).secretString();
            return Optional.of(CaMaterialJson.read("secret " + secretId, json));
        } catch (ResourceNotFoundException e) {
            return Optional.empty();
        }
    }

    @Override
    public void save(CaMaterial material) {
        String json = CaMaterialJson.write(material);
        try {
            secretsManager.putSecretValue(r -> r.secretId(secretId).secretString(json));
        } catch (ResourceNotFoundException e) {
            secretsManager.createSecret(r -> r.name(secretId)
                    .description("Trellis mesh CA: roots and signing keys (" + CaMaterialJson.FORMAT + ")")
                    .secretString(json));
        }
    }

    @Override
    public String toString() {
        return "CaStore.secretsManager(" + secretId + ")";
    }
}
