package dev.trellis.proxy.accesslog;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/** The writing access log: a bounded queue, one daemon writer thread, Jackson's streaming writer. */
final class AsyncAccessLog implements AccessLog {

    private static final System.Logger LOG = System.getLogger(AccessLog.class.getName());
    private static final int BATCH = 256;

    private final BlockingQueue<AccessLogEntry> queue;
    private final LongAdder dropped = new LongAdder();
    private final OutputStream out;
    private final boolean closeOut;
    private final JsonGenerator json;
    private final Thread writer;
    private volatile boolean closed;

    AsyncAccessLog(OutputStream out, boolean closeOut, int queueCapacity, MeterRegistry registry) {
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.out = new BufferedOutputStream(out, 64 * 1024);
        this.closeOut = closeOut;
        try {
            this.json = new JsonFactory().createGenerator(this.out, JsonEncoding.UTF8)
                    .configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false)
                    .configure(JsonGenerator.Feature.FLUSH_PASSED_TO_STREAM, true);
        } catch (IOException e) {
            throw new IllegalStateException("access log JSON writer could not be created", e);
        }
        json.setRootValueSeparator(null);
        if (registry != null) {
            FunctionCounter.builder("trellis.proxy.access.log.dropped", dropped, LongAdder::sum)
                    .description("Access log entries dropped because the writer was behind")
                    .register(registry);
        }
        this.writer = new Thread(this::writeUntilClosed, "trellis-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void log(AccessLogEntry entry) {
        if (closed || !queue.offer(entry)) {
            dropped.increment();
        }
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public long dropped() {
        return dropped.sum();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeUntilClosed() {
        List<AccessLogEntry> batch = new ArrayList<>(BATCH);
        try {
            while (!closed || !queue.isEmpty()) {
                AccessLogEntry first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                for (AccessLogEntry entry : batch) {
                    write(entry);
                }
                batch.clear();
                // Flush when caught up, so a quiet proxy's lines show up at once and a busy
                // one writes in large chunks.
                if (queue.isEmpty()) {
                    json.flush();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            closed = true;
            LOG.log(System.Logger.Level.ERROR, "access log writing stopped", e);
        } finally {
            finish();
        }
    }

    private void finish() {
        try {
            json.flush();
            json.close();
            if (closeOut) {
                out.close();
            } else {
                out.flush();
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "access log could not be flushed", e);
        }
    }

    private void write(AccessLogEntry e) throws IOException {
        json.writeStartObject();
        json.writeStringField("start_time", Instant.ofEpochMilli(e.startMillis()).toString());
        stringField("method", e.method());
        stringField("authority", e.authority());
        stringField("path", e.path());
        json.writeNumberField("response_code", e.status());
        json.writeNumberField("duration_ms", Math.round(e.durationNanos() / 1_000.0) / 1_000.0);
        stringField("route", e.route());
        stringField("upstream_cluster", e.upstreamCluster());
        stringField("upstream_host", e.upstreamHost());
        json.writeNumberField("retries", e.retries());
        json.writeNumberField("bytes_received", e.bytesReceived());
        json.writeNumberField("bytes_sent", e.bytesSent());
        stringField("caller", e.caller());
        json.writeEndObject();
        json.writeRaw('\n');
    }

    private void stringField(String name, String value) throws IOException {
        if (value != null) {
            json.writeStringField(name, value);
        }
    }

    @Override
    public String toString() {
        return "AccessLog{queue=" + (queue.size() + queue.remainingCapacity()) + "}";
    }
}
