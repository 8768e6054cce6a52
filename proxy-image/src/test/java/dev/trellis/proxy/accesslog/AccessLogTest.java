package dev.trellis.proxy.accesslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class AccessLogTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void givenAFinishedRequest_whenLogged_thenOneJsonLineHasEveryKnownField() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AccessLog log = AccessLog.builder().toStream(out, false).build();

        log.log(entry(200, "spiffe://shop.trellis.local/mesh/shop/service/frontend"));
        log.close();

        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).endsWith("\n").hasLineCount(1);
        assertThat(text.strip()).isEqualTo("{\"start_time\":\"2026-11-26T07:40:12.345Z\",\"method\":\"GET\","
                + "\"authority\":\"orders\",\"path\":\"/orders/42?x=1\",\"response_code\":200,\"duration_ms\":3.25,"
                + "\"route\":\"canary\",\"upstream_cluster\":\"orders/v1\",\"upstream_host\":\"10.0.1.5:15000\","
                + "\"retries\":1,\"bytes_received\":10,\"bytes_sent\":512,"
                + "\"caller\":\"spiffe://shop.trellis.local/mesh/shop/service/frontend\"}");
    }

    @Test
    void givenUnknownFields_whenLogged_thenTheyAreLeftOut() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AccessLog log = AccessLog.builder().toStream(out, false).build();

        log.log(new AccessLogEntry(0, "GET", "orders", "/", 0, 1_000, null, null, null, 0, 0, 0, null));
        log.close();

        JsonNode line = JSON.readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(line.has("caller")).isFalse();
        assertThat(line.has("upstream_host")).isFalse();
        assertThat(line.get("response_code").asInt()).isZero();
    }

    @Test
    void givenAFileTarget_whenManyRequestsAreLogged_thenEachIsALineInOrder(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("access.log");
        AccessLog log = AccessLog.fromTarget(file.toString(), new SimpleMeterRegistry());

        for (int i = 0; i < 1000; i++) {
            log.log(new AccessLogEntry(0, "GET", "orders", "/" + i, 200, 1, null, null, null, 0, 0, 0, null));
        }
        log.close();

        List<String> lines = Files.readAllLines(file);
        assertThat(log.dropped()).isZero();
        assertThat(lines).hasSize(1000);
        assertThat(JSON.readTree(lines.get(999)).get("path").asText()).isEqualTo("/999");
    }

    @Test
    void givenAWriterThatIsStuck_whenTheQueueFills_thenLogNeverBlocksAndDropsAreCounted() throws Exception {
        CountDownLatch unblock = new CountDownLatch(1);
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        OutputStream stuck = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                await(unblock);
                written.write(b, off, len);
            }
        };
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        AccessLog log = AccessLog.builder().toStream(stuck, false).queueCapacity(4).meterRegistry(registry).build();

        long start = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            log.log(entry(200, null));
        }
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        unblock.countDown();
        log.close();

        assertThat(tookMillis).as("100 log calls against a stuck writer").isLessThan(1000);
        // What the writer held before its first write blocked varies with scheduling; every entry is either written or counted.
        assertThat(log.dropped()).isPositive();
        assertThat(registry.get("trellis.proxy.access.log.dropped").functionCounter().count())
                .isEqualTo(log.dropped());
        assertThat(written.toString(StandardCharsets.UTF_8).lines().count()).isEqualTo(100 - log.dropped());
    }

    @Test
    void givenAClosedLog_whenLogging_thenTheEntryIsDroppedNotWritten() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AccessLog log = AccessLog.builder().toStream(out, false).build();
        log.close();

        log.log(entry(200, null));

        assertThat(log.dropped()).isEqualTo(1);
        assertThat(out.size()).isZero();
    }

    @Test
    void givenOff_whenLogging_thenNothingHappens() {
        AccessLog log = AccessLog.fromTarget("off", new SimpleMeterRegistry());

        log.log(entry(200, null));

        assertThat(log.enabled()).isFalse();
        assertThat(log.dropped()).isZero();
    }

    @Test
    void givenABlankTarget_whenParsed_thenTheErrorSaysWhatIsExpected() {
        assertThatThrownBy(() -> AccessLog.fromTarget(" ", null))
                .hasMessage("accessLog: \" \" (expected: off, stdout, or a file path)");
    }

    @Test
    void givenAFileInAMissingDirectory_whenOpened_thenTheErrorNamesIt(@TempDir Path dir) {
        Path file = dir.resolve("missing/access.log");

        assertThatThrownBy(() -> AccessLog.fromTarget(file.toString(), null))
                .hasMessage("accessLog: " + file + " (expected: a file the proxy may append to)");
    }

    private static AccessLogEntry entry(int status, String caller) {
        return new AccessLogEntry(1_795_678_812_345L, "GET", "orders", "/orders/42?x=1", status, 3_250_000,
                "canary", "orders/v1", "10.0.1.5:15000", 1, 10, 512, caller);
    }

    private static void await(CountDownLatch latch) throws IOException {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
    }
}
