package dev.trellis.ca.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Optional;

final class FileCaStore implements CaStore {
    private final Path path;

    FileCaStore(Path path) {
        this.path = Objects.requireNonNull(path, "path").toAbsolutePath();
    }

    @Override
    public Optional<CaMaterial> load() {
        if (!Files.exists(path)) {
            return Optional.empty();
        }
        try {
            return Optional.of(CaMaterialJson.read(path.toString(), Files.readString(path, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("reading the mesh CA from " + path + " failed", e);
        }
    }

    @Override
    public void save(CaMaterial material) {
        try {
            Files.createDirectories(path.getParent());
            Path temporary = Files.createTempFile(path.getParent(), path.getFileName().toString(), ".tmp");
            try {
                // Owner-only before the key is written, not after.
                Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // Not a POSIX file system: the directory's permissions are all there is.
            }
            Files.writeString(temporary, CaMaterialJson.write(material), StandardCharsets.UTF_8);
            try {
                Files.move(temporary, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, path, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing the mesh CA to " + path + " failed", e);
        }
    }

    @Override
    public String toString() {
        return "CaStore.file(" + path + ")";
    }
}
