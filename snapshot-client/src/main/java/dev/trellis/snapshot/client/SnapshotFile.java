package dev.trellis.snapshot.client;

import dev.trellis.snapshot.InvalidSnapshotException;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.Snapshots;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last good snapshot on disk, so that a proxy restarted while the controller is away still
 * has a configuration. Written atomically (a temporary file in the same directory, then a
 * rename), so a crash mid-write leaves the previous snapshot, never half of one.
 */
public final class SnapshotFile {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotFile.class);

    private final Path path;

    private SnapshotFile(Path path) {
        this.path = Objects.requireNonNull(path, "path").toAbsolutePath();
    }

    public static SnapshotFile at(Path path) {
        return new SnapshotFile(path);
    }

    public Path path() {
        return path;
    }

    /**
     * The persisted snapshot if there is one and it passes the same checks as one from the
     * controller (its version is its content's hash); empty otherwise, with the reason logged.
     */
    public Optional<ProxySnapshot> load() {
        String json;
        try {
            json = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            LOG.warn("event=snapshot.file.unreadable path={} error=\"{}\"", path, e.toString());
            return Optional.empty();
        }
        try {
            return Optional.of(Snapshots.fromJson(json));
        } catch (InvalidSnapshotException e) {
            LOG.warn("event=snapshot.file.invalid path={} problems=\"{}\"", path, e.getMessage());
            return Optional.empty();
        }
    }

    /** Replaces the persisted snapshot atomically. */
    public void save(ProxySnapshot snapshot) {
        try {
            Path dir = path.getParent();
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, path.getFileName().toString(), ".tmp");
            try {
                Files.writeString(temp, Snapshots.toJson(snapshot), StandardCharsets.UTF_8);
                try {
                    Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, path, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("snapshot file: " + path + " (expected: a writable path)", e);
        }
    }
}
