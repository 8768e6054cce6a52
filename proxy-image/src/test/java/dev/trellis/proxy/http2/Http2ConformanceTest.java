package dev.trellis.proxy.http2;

import static dev.trellis.proxy.fixtures.H2FrameProbe.code;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.proxy.ProxyServer;
import dev.trellis.proxy.metrics.ProxyMetrics;
import dev.trellis.proxy.fixtures.H2FrameProbe;
import dev.trellis.proxy.fixtures.Mesh;
import dev.trellis.proxy.fixtures.StaticSnapshotSource;
import dev.trellis.proxy.fixtures.UpstreamServer;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.netty.handler.codec.http2.Http2Headers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The h2c listeners against callers that break RFC 9113, frame by frame on a raw socket: each
 * test sends the broken frames and asserts the exact RST_STREAM or GOAWAY the proxy answers
 * with (error code bytes included), and that the connection lives on after a stream error.
 * The app behind the inbound listener hangs on /hang, so that a stream stays open while the
 * caller misbehaves on it.
 */
@DisplayName("HTTP/2 conformance of the h2c listeners: stream errors, connection errors, malformed requests")
class Http2ConformanceTest {

    private static final Duration QUIET = Duration.ofSeconds(3);

    static final ProxyMetrics metrics = ProxyMetrics.builder().jvmMeters(false).build();
    static UpstreamServer app;
    static ProxyServer proxy;

    @BeforeAll
    static void start() throws Exception {
        app = UpstreamServer.http1("app", r -> r.uri().startsWith("/hang") ? UpstreamServer.hang()
                : UpstreamServer.ok("app"));
        proxy = ProxyServer.builder(new StaticSnapshotSource(Mesh.spec("").snapshotWithApp(app.port())))
                .bindAddress("127.0.0.1").outboundPort(0).inboundPort(0).eventLoops(2).metrics(metrics)
                .build().start();
    }

    @AfterAll
    static void stop() {
        proxy.close();
        metrics.close();
        app.close();
    }

    private static Http2Headers request(String path) {
        return new DefaultHttp2Headers().method("GET").scheme("http").authority("app").path(path);
    }

    private static H2FrameProbe.Frame awaitReset(H2FrameProbe probe, int stream) throws Exception {
        H2FrameProbe.Outcome outcome = probe.readUntil(frame -> frame.isReset(stream) || frame.isGoAway(), QUIET);
        H2FrameProbe.Frame last = outcome.frames().isEmpty() ? null : outcome.frames().get(outcome.frames().size() - 1);
        assertThat(last).as("frames received: %s, closed: %s (expected: RST_STREAM on stream %d)",
                outcome.frames(), outcome.closed(), stream).isNotNull();
        assertThat(last.isReset(stream)).as("last frame: %s (expected: RST_STREAM on stream %d)", last, stream).isTrue();
        return last;
    }

    /** Asserts that {@code stream} gets a whole answer: the connection survived the error before it. */
    private static void assertAnswered(H2FrameProbe probe, int stream) throws Exception {
        H2FrameProbe.Outcome outcome = probe.readUntil(frame -> frame.streamId() == stream
                && (frame.flags() & H2FrameProbe.END_STREAM) != 0 || frame.isGoAway(), QUIET);
        assertThat(outcome.frames()).as("frames after the error, closed: %s", outcome.closed())
                .anyMatch(frame -> frame.type() == Http2FrameTypes.HEADERS && frame.streamId() == stream)
                .noneMatch(H2FrameProbe.Frame::isGoAway);
    }

    private static H2FrameProbe.Frame awaitGoAwayAndClose(H2FrameProbe probe) throws Exception {
        H2FrameProbe.Outcome outcome = probe.readToClose(QUIET);
        assertThat(outcome.closed()).as("closed after %s", outcome.frames()).isTrue();
        return outcome.frames().stream().filter(H2FrameProbe.Frame::isGoAway).findFirst()
                .orElseThrow(() -> new AssertionError("frames: " + outcome.frames() + " (expected: a GOAWAY)"));
    }

    @ParameterizedTest(name = "without {0}")
    @ValueSource(strings = {":method", ":scheme", ":path"})
    @DisplayName("GIVEN a request without a required pseudo-header WHEN its HEADERS arrive THEN the stream is reset with PROTOCOL_ERROR and the connection serves the next stream")
    void missingPseudoHeader(String name) throws Exception {
        try (H2FrameProbe probe = H2FrameProbe.connect(proxy.inboundPort())) {
            Http2Headers broken = request("/never-forwarded");
            broken.remove(name);

            probe.headers(1, broken, true);

            assertThat(awaitReset(probe, 1).payload()).containsExactly(code(Http2Error.PROTOCOL_ERROR));
            assertThat(app.received()).noneMatch(r -> r.uri().startsWith("/never-forwarded"));
            probe.headers(3, request("/"), true);
            assertAnswered(probe, 3);
        }
    }

    @Test
    @DisplayName("GIVEN content-length: 10 WHEN the body ends after 3 bytes THEN the stream is reset with PROTOCOL_ERROR")
    void bodyShorterThanContentLength() throws Exception {
        try (H2FrameProbe probe = H2FrameProbe.connect(proxy.inboundPort())) {
            probe.headers(1, request("/upload").method("POST").setInt("content-length", 10), false)
                    .data(1, "abc".getBytes(StandardCharsets.US_ASCII), true);

            assertThat(awaitReset(probe, 1).payload()).containsExactly(code(Http2Error.PROTOCOL_ERROR));
        }
    }

    @Test
    @DisplayName("GIVEN content-length: 3 WHEN DATA frames bring 6 bytes THEN the stream is reset with PROTOCOL_ERROR")
    void bodyLongerThanContentLength() throws Exception {
        try (H2FrameProbe probe = H2FrameProbe.connect(proxy.inboundPort())) {
            probe.headers(1, request("/upload").method("POST").setInt("content-length", 3), false)
                    .data(1, "abc".getBytes(StandardCharsets.US_ASCII), false)
                    .data(1, "def".getBytes(StandardCharsets.US_ASCII), true);

            assertThat(awaitReset(probe, 1).payload()).containsExactly(code(Http2Error.PROTOCOL_ERROR));
        }
    }

    @Test
    @DisplayName("GIVEN a request whose stream is half-closed (remote) WHEN the caller sends DATA on it THEN the stream is reset with STREAM_CLOSED")
    void dataOnHalfClosedStream() throws Exception {
        try (H2FrameProbe probe = H2FrameProbe.connect(proxy.inboundPort())) {
            probe.headers(1, request("/hang"), true).data(1, "late".getBytes(StandardCharsets.US_ASCII), true);

            assertThat(awaitReset(probe, 1).payload()).containsExactly(code(Http2Error.STREAM_CLOSED));
        }
    }

    @Test
    @DisplayName("GIVEN a request whose stream is half-closed (remote) WHEN the caller sends a second HEADERS on it THEN the stream is reset with STREAM_CLOSED")
    void headersOnHalfClosedStream() throws Exception {
        try (H2FrameProbe probe = H2FrameProbe.connect(proxy.inboundPort())) {
            probe.headers(1, request("/hang"), true).headers(1, request("/hang"), true);

            assertThat(awaitReset(probe, 1).payload()).containsExactly(code(Http2Error.STREAM_CLOSED));
        }
    }

    @Test
    @DisplayName("GIVEN an open request WHEN the caller sends a second HEADERS without END_STREAM THEN the stream is reset with PROTOCOL_ERROR")
    void secondHeadersWithoutEndStream() throws Exception {
        try (H2FrameProbe probe = H2FrameProbe.connect(proxy.inboundPort())) {
            probe.headers(1, request("/hang").method("POST"), false)
                    .headers(1, new DefaultHttp2Headers().set("x-more", "1"), false);

            assertThat(awaitReset(probe, 1).payload()).containsExactly(code(Http2Error.PROTOCOL_ERROR));
        }
    }

    @Test
    @DisplayName("GIVEN an open request WHEN its trailers carry a pseudo-header THEN the stream is reset with PROTOCOL_ERROR")
    void pseudoHeaderInTrailers() throws Exception {
        try (H2FrameProbe probe = H2FrameProbe.connect(proxy.inboundPort())) {
            probe.headers(1, request("/upload").method("POST"), false)
                    .data(1, "abc".getBytes(StandardCharsets.US_ASCII), false)
                    .headers(1, new DefaultHttp2Headers().method("GET").set("x-trailer", "1"), true);

            assertThat(awaitReset(probe, 1).payload()).containsExactly(code(Http2Error.PROTOCOL_ERROR));
        }
    }

    @Test
    @DisplayName("GIVEN an open request WHEN a WINDOW_UPDATE of 0 arrives on its stream THEN the reset carries Netty's PROTOCOL_ERROR, not the frontend's CANCEL")
    void streamErrorKeepsItsCode() throws Exception {
        try (H2FrameProbe probe = H2FrameProbe.connect(proxy.inboundPort())) {
            probe.headers(1, request("/hang").method("POST"), false).windowUpdate(1, 0);

            assertThat(awaitReset(probe, 1).payload()).containsExactly(code(Http2Error.PROTOCOL_ERROR));
            probe.headers(3, request("/"), true);
            assertAnswered(probe, 3);
        }
    }

    @Test
    @DisplayName("GIVEN a stream that was answered and closed WHEN the caller sends HEADERS on it again THEN GOAWAY with PROTOCOL_ERROR and the connection closes")
    void headersOnClosedStream() throws Exception {
        try (H2FrameProbe probe = H2FrameProbe.connect(proxy.inboundPort())) {
            probe.headers(1, request("/"), true);
            assertAnswered(probe, 1);

            probe.headers(1, request("/"), true);

            H2FrameProbe.Frame goAway = awaitGoAwayAndClose(probe);
            assertThat(Arrays.copyOfRange(goAway.payload(), 4, 8)).containsExactly(code(Http2Error.PROTOCOL_ERROR));
        }
    }

    @Test
    @DisplayName("GIVEN stream 5 was opened WHEN the caller opens stream 3 THEN GOAWAY with PROTOCOL_ERROR and the connection closes")
    void streamIdBelowTheLastOne() throws Exception {
        try (H2FrameProbe probe = H2FrameProbe.connect(proxy.inboundPort())) {
            probe.headers(5, request("/hang"), true).headers(3, request("/"), true);

            H2FrameProbe.Frame goAway = awaitGoAwayAndClose(probe);
            assertThat(Arrays.copyOfRange(goAway.payload(), 4, 8)).containsExactly(code(Http2Error.PROTOCOL_ERROR));
        }
    }

    @Test
    @DisplayName("GIVEN a stream the proxy reset WHEN DATA the caller had in flight arrives for it THEN only that stream is refused and the connection lives on")
    void dataInFlightAfterOwnResetKeepsConnection() throws Exception {
        try (H2FrameProbe probe = H2FrameProbe.connect(proxy.inboundPort())) {
            probe.headers(1, request("/upload").method("POST").setInt("content-length", 1), false)
                    .data(1, "ab".getBytes(StandardCharsets.US_ASCII), false);
            assertThat(awaitReset(probe, 1).payload()).containsExactly(code(Http2Error.PROTOCOL_ERROR));

            probe.data(1, "c".getBytes(StandardCharsets.US_ASCII), true).headers(3, request("/"), true);

            assertAnswered(probe, 3);
        }
    }

    @Test
    @DisplayName("GIVEN a connection WHEN it opens with an invalid preface (neither HTTP/2 nor an HTTP/1.x request line) THEN it is closed without a byte sent, and counted as a malformed request")
    void invalidPreface() throws Exception {
        double before = malformedRequests();
        try (H2FrameProbe probe = H2FrameProbe.connectSilently(proxy.inboundPort())) {
            probe.send("INVALID CONNECTION PREFACE\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

            assertThat(probe.readRawToClose(QUIET)).isEmpty();
        }
        assertThat(malformedRequests()).isEqualTo(before + 1);
    }

    private static double malformedRequests() {
        Matcher counter = Pattern.compile("trellis_proxy_bad_requests_total\\{[^}]*reason=\"malformed\"[^}]*} ([0-9.]+)")
                .matcher(metrics.scrape());
        assertThat(counter.find()).as("bad requests counter in the scrape").isTrue();
        return Double.parseDouble(counter.group(1));
    }

    @Test
    @DisplayName("GIVEN the outbound listener WHEN a request lacks :path THEN it too resets the stream with PROTOCOL_ERROR")
    void outboundListenerIsAsStrict() throws Exception {
        try (H2FrameProbe probe = H2FrameProbe.connect(proxy.outboundPort())) {
            Http2Headers broken = request("/");
            broken.remove(":path");

            probe.headers(1, broken, true);

            assertThat(awaitReset(probe, 1).payload()).containsExactly(code(Http2Error.PROTOCOL_ERROR));
        }
    }
}
