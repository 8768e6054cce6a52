package dev.trellis.proxy.config;

import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.SnapshotSource;
import dev.trellis.snapshot.Snapshots;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Snapshots from a JSON file (local mode, tests, the benchmark): read at start, then polled for
 * changes. Polling the modification time and size, rather than a WatchService, also sees files
 * replaced by rename (how Kubernetes updates mounted config maps). A file that fails to parse or
 * check is reported and skipped: the proxy keeps its last good snapshot.
 */
public final class FileSnapshotSource implements SnapshotSource {

    private final Path file;
    private final Duration pollInterval;
    private final Consumer<String> problems;
    private ScheduledExecutorService poller;
    private FileTime lastModified;
    private long lastSize = -1;
    private String lastVersion;

    private FileSnapshotSource(Path file, Duration pollInterval, Consumer<String> problems) {
        this.file = file;
        this.pollInterval = pollInterval;
        this.problems = problems;
    }

    /** Watches {@code file} every 500 ms; problems go to standard error. */
    public static FileSnapshotSource of(Path file) {
        return new FileSnapshotSource(file, Duration.ofMillis(500), System.err::println);
    }

    public static FileSnapshotSource of(Path file, Duration pollInterval, Consumer<String> problems) {
        return new FileSnapshotSource(file, pollInterval, problems);
    }

    /** Reads and checks the file once. */
    public static ProxySnapshot read(Path file) {
        try {
            return Snapshots.fromJson(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("snapshot file: " + file + " (expected: a readable JSON snapshot)", e);
        }
    }

    /**
     * Delivers the file's snapshot before returning (so a proxy is configured when it starts
     * listening), then every changed version. Throws when the first read fails.
     */
    @Override
    public synchronized void start(Consumer<ProxySnapshot> listener) {
        ProxySnapshot first = read(file);
        remember();
        lastVersion = first.version();
        listener.accept(first);
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "trellis-snapshot-file");
            thread.setDaemon(true);
            return thread;
        });
        poller.scheduleWithFixedDelay(() -> poll(listener), pollInterval.toMillis(), pollInterval.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    private synchronized void poll(Consumer<ProxySnapshot> listener) {
        if (poller == null || poller.isShutdown()) {
            return;
        }
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            long size = Files.size(file);
            if (modified.equals(lastModified) && size == lastSize) {
                return;
            }
            lastModified = modified;
            lastSize = size;
            ProxySnapshot snapshot = read(file);
            if (!snapshot.version().equals(lastVersion)) {
                listener.accept(snapshot);
                lastVersion = snapshot.version();
            }
        } catch (RuntimeException | IOException e) {
            problems.accept("snapshot file " + file + " not applied, keeping version " + lastVersion + ": "
                    + e.getMessage());
        }
    }

    private void remember() {
        try {
            lastModified = Files.getLastModifiedTime(file);
            lastSize = Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void close() {
        if (poller != null) {
            poller.shutdownNow();
        }
    }
}
