package dev.trellis.proxy.accesslog;

import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;

/**
 * Where finished requests are logged, one JSON line each:
 *
 * <pre>{@code
 * {"start_time":"2026-11-26T07:40:12.345Z","method":"GET","authority":"orders","path":"/orders/42",
 *  "response_code":200,"duration_ms":3.2,"route":"canary","upstream_cluster":"orders/v1",
 *  "upstream_host":"10.0.1.5:15000","retries":0,"bytes_received":0,"bytes_sent":512,
 *  "caller":"spiffe://shop.trellis.local/mesh/shop/service/frontend"}
 * }</pre>
 *
 * <p>{@link #log} never blocks and never does I/O: it offers the entry to a bounded queue that a
 * single background thread drains; when the queue is full the entry is dropped and counted
 * ({@code trellis_proxy_access_log_dropped_total}). Fields that are not known are left out.
 *
 * <p>{@link #fromTarget(String)} reads the command line's setting: {@code off}, {@code stdout}, or
 * a file path (appended to).
 */
public interface AccessLog extends AutoCloseable {

    /** Entries waiting to be written before new ones are dropped, unless the builder says otherwise. */
    int DEFAULT_QUEUE_CAPACITY = 8192;

    /** Records one finished request, or drops it when the writer is behind; never blocks. */
    void log(AccessLogEntry entry);

    /** Whether entries are written at all: the data plane can skip building them when not. */
    boolean enabled();

    /** Entries dropped because the queue was full. */
    long dropped();

    /** Writes what is queued, then stops; later entries are dropped. */
    @Override
    void close();

    /** An access log that logs nothing. */
    static AccessLog off() {
        return DisabledAccessLog.INSTANCE;
    }

    /**
     * An access log for the command line's {@code --access-log} value: {@code off}, {@code stdout},
     * or the path of a file to append to.
     */
    static AccessLog fromTarget(String target, MeterRegistry registry) {
        if (target == null || target.isBlank()) {
            throw new IllegalArgumentException("accessLog: " + (target == null ? "null" : "\"" + target + "\"")
                    + " (expected: off, stdout, or a file path)");
        }
        switch (target.strip()) {
            case "off":
                return off();
            case "stdout":
                return builder().toStdout().meterRegistry(registry).build();
            default:
                return builder().toFile(Path.of(target.strip())).meterRegistry(registry).build();
        }
    }

    static Builder builder() {
        return new Builder();
    }

    /** Builds a writing access log; one target is required. Not thread-safe. */
    final class Builder {
        private OutputStream out;
        private boolean closeOut;
        private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
        private MeterRegistry registry;

        private Builder() {
        }

        /** Writes to the process's standard output (the container log driver's input). */
        public Builder toStdout() {
            return toStream(System.out, false);
        }

        /** Appends to a file, creating it. */
        public Builder toFile(Path file) {
            Objects.requireNonNull(file, "file");
            try {
                return toStream(Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                        StandardOpenOption.WRITE), true);
            } catch (IOException e) {
                throw new UncheckedIOException("accessLog: " + file + " (expected: a file the proxy may append to)", e);
            }
        }

        /** Writes to a stream; closes it on {@link AccessLog#close()} when {@code closeWhenDone}. */
        public Builder toStream(OutputStream out, boolean closeWhenDone) {
            this.out = Objects.requireNonNull(out, "out");
            this.closeOut = closeWhenDone;
            return this;
        }

        public Builder queueCapacity(int queueCapacity) {
            if (queueCapacity < 1) {
                throw new IllegalArgumentException("queueCapacity: " + queueCapacity + " (expected: 1 or more)");
            }
            this.queueCapacity = queueCapacity;
            return this;
        }

        /** Where the dropped-entries counter is registered; none when not set. */
        public Builder meterRegistry(MeterRegistry registry) {
            this.registry = registry;
            return this;
        }

        /** Starts the writer thread. */
        public AccessLog build() {
            if (out == null) {
                throw new IllegalStateException("accessLog target: none (expected: toStdout(), toFile(path) or toStream(...))");
            }
            return new AsyncAccessLog(out, closeOut, queueCapacity, registry);
        }
    }
}
