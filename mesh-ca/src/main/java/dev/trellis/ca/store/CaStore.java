package dev.trellis.ca.store;

import java.nio.file.Path;
import java.util.Optional;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Where the mesh CA keeps its {@link CaMaterial}. One writer at a time: run one controller replica
 * as the CA, or accept that concurrent rotations race (last write wins).
 */
public interface CaStore {

    /** The stored material, or empty when this store has never been written. */
    Optional<CaMaterial> load();

    /** Replaces the stored material. */
    void save(CaMaterial material);

    /** A JSON file (local mode), written atomically and readable by its owner only where POSIX permissions exist. */
    static CaStore file(Path path) {
        return new FileCaStore(path);
    }

    /** One Secrets Manager secret (created on first save), its string value the JSON of {@link CaMaterialJson}. */
    static CaStore secretsManager(SecretsManagerClient secretsManager, String secretId) {
        return new SecretsManagerCaStore(secretsManager, secretId);
    }

    /** Memory only: for tests and throwaway meshes. */
    static CaStore inMemory() {
        return new InMemoryCaStore();
    }
}
