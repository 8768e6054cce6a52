package dev.trellis.proxy.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The TCP pass-through on loopback against upstreams that echo, reset, never accept or are gone. */
@Timeout(20)
class TcpProxyTest {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
        // Stopping the loop closes every relayed channel, which releases what their outbound buffers hold.
        assertThat(group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly(20, TimeUnit.SECONDS))
                .as("event loop stopped").isTrue();
    }

    @Test
    void givenAnEchoUpstream_whenTheCallerSendsAndHalfCloses_thenEveryByteComesBackThenEndOfStream() throws Exception {
        Upstream echo = upstream(TcpProxyTest::echoUntilEndOfStream);
        TcpProxy proxy = proxy(echo.address(), Duration.ofSeconds(2));
        byte[] payload = new byte[4 * 1024 * 1024];
        new Random(42).nextBytes(payload);

        try (Socket caller = connect(proxy)) {
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try {
                    caller.getOutputStream().write(payload);
                    caller.shutdownOutput();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            byte[] echoed = caller.getInputStream().readAllBytes();
            sending.get(10, TimeUnit.SECONDS);

            assertThat(echoed.length).isEqualTo(payload.length);
            assertThat(Arrays.equals(echoed, payload)).isTrue();
        }
        awaitNoActiveConnection(proxy);
        assertThat(registry.get("trellis.proxy.tcp.bytes.received").counter().count()).isEqualTo(payload.length);
        assertThat(registry.get("trellis.proxy.tcp.bytes.sent").counter().count()).isEqualTo(payload.length);
        assertThat(registry.get("trellis.proxy.tcp.connections").counter().count()).isEqualTo(1);
    }

    @Test
    void givenAnUpstreamThatNeverReads_whenTheCallerKeepsWriting_thenTheCallerIsHeldBackNotBuffered()
            throws Exception {
        Upstream sink = upstream(socket -> sleepQuietly(Duration.ofSeconds(30)));
        TcpProxy proxy = proxy(sink.address(), Duration.ofSeconds(2));
        AtomicLong written = new AtomicLong();

        try (Socket caller = connect(proxy)) {
            Thread writer = new Thread(() -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                    OutputStream out = caller.getOutputStream();
                    for (int i = 0; i < 1024; i++) { // up to 64 MiB
                        out.write(chunk);
                        written.addAndGet(chunk.length);
                    }
                } catch (IOException closed) {
                    // the test closes the socket to end the writer
                }
            });
            writer.start();
            Thread.sleep(1000);

            // Kernel socket buffers on both hops hold some MiB; without backpressure the proxy
            // would take all 64 MiB into memory within the second.
            assertThat(written.get()).isLessThan(32L * 1024 * 1024);
            assertThat(registry.get("trellis.proxy.tcp.bytes.received").counter().count())
                    .isLessThan(32.0 * 1024 * 1024);
        }
    }

    @Test
    void givenAnUpstreamThatResets_whenTheCallerSends_thenTheCallerSeesTheConnectionEnd() throws Exception {
        Upstream resetting = upstream(socket -> {
            socket.getInputStream().read();
            socket.setSoLinger(true, 0);
            socket.close();
        });
        TcpProxy proxy = proxy(resetting.address(), Duration.ofSeconds(2));

        try (Socket caller = connect(proxy)) {
            caller.getOutputStream().write("hello".getBytes());

            assertThat(readUntilEnd(caller.getInputStream())).isIn("reset", "end of stream");
        }
        awaitNoActiveConnection(proxy);
    }

    @Test
    void givenAnUpstreamThatNeverAccepts_whenTheConnectTimesOut_thenTheCallerIsClosedAndItIsCounted()
            throws Exception {
        List<Socket> backlogFillers = new ArrayList<>();
        ServerSocket neverAccepts = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        toClose.add(neverAccepts);
        // The kernel completes handshakes into the accept queue until it is full; after that
        // SYNs are dropped and a connect waits, as for a host that does not answer.
        for (int i = 0; i < 16; i++) {
            Socket filler = new Socket();
            toClose.add(filler);
            try {
                filler.connect(neverAccepts.getLocalSocketAddress(), 200);
                backlogFillers.add(filler);
            } catch (SocketTimeoutException queueFull) {
                break;
            }
        }
        TcpProxy proxy = proxy((InetSocketAddress) neverAccepts.getLocalSocketAddress(), Duration.ofMillis(300));

        long start = System.nanoTime();
        try (Socket caller = connect(proxy)) {
            assertThat(readUntilEnd(caller.getInputStream())).isEqualTo("end of stream");
        }

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(250), Duration.ofSeconds(10));
        assertThat(registry.get("trellis.proxy.tcp.connect.failures").tag("reason", "timeout").counter().count())
                .isEqualTo(1);
        awaitNoActiveConnection(proxy);
    }

    @Test
    void givenAnUpstreamPortWithNoListener_whenConnecting_thenTheCallerIsClosedAndARefusalCounted() throws Exception {
        InetSocketAddress gone;
        try (ServerSocket closedAgain = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            gone = (InetSocketAddress) closedAgain.getLocalSocketAddress();
        }
        TcpProxy proxy = proxy(gone, Duration.ofSeconds(2));

        try (Socket caller = connect(proxy)) {
            assertThat(readUntilEnd(caller.getInputStream())).isEqualTo("end of stream");
        }

        assertThat(registry.get("trellis.proxy.tcp.connect.failures").tag("reason", "refused").counter().count())
                .isEqualTo(1);
    }

    @Test
    void givenNoHostAvailable_whenACallerConnects_thenItIsClosedAndCounted() throws Exception {
        TcpProxy proxy = TcpProxy.builder().eventLoopGroup(group).bindAddress("127.0.0.1").port(0)
                .upstreams(Optional::empty).cluster("db/v1").meterRegistry(registry).start();
        toClose.add(proxy);

        try (Socket caller = connect(proxy)) {
            assertThat(readUntilEnd(caller.getInputStream())).isEqualTo("end of stream");
        }

        assertThat(registry.get("trellis.proxy.tcp.connect.failures").tag("reason", "no_host").counter().count())
                .isEqualTo(1);
    }

    @Test
    void givenAnIdleTimeout_whenAConnectionCarriesNothingThatLong_thenBothSidesAreClosedAndItIsCounted() throws Exception {
        Upstream echo = upstream(TcpProxyTest::echoUntilEndOfStream);
        TcpProxy proxy = proxy(echo.address(), Duration.ofSeconds(2), Duration.ofMillis(300));

        try (Socket caller = connect(proxy)) {
            caller.getOutputStream().write("ping".getBytes());
            assertThat(caller.getInputStream().readNBytes(4)).isEqualTo("ping".getBytes());
            long silentSince = System.nanoTime();

            assertThat(readUntilEnd(caller.getInputStream())).isEqualTo("end of stream");

            assertThat(Duration.ofNanos(System.nanoTime() - silentSince)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        }
        awaitNoActiveConnection(proxy);
        assertThat(registry.get("trellis.proxy.tcp.idle.closed").counter().count()).isEqualTo(1);
    }

    @Test
    void givenAnIdleTimeout_whenBytesKeepFlowingPastIt_thenTheConnectionStaysOpen() throws Exception {
        Upstream echo = upstream(TcpProxyTest::echoUntilEndOfStream);
        TcpProxy proxy = proxy(echo.address(), Duration.ofSeconds(2), Duration.ofMillis(300));

        try (Socket caller = connect(proxy)) {
            for (int i = 0; i < 8; i++) {   // 8 x 100 ms: well past the idle timeout, never idle for it
                caller.getOutputStream().write('x');
                assertThat(caller.getInputStream().read()).isEqualTo('x');
                Thread.sleep(100);
            }
            assertThat(registry.get("trellis.proxy.tcp.idle.closed").counter().count()).isZero();
        }
    }

    @Test
    void givenAZeroIdleTimeout_whenBuilt_thenItIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> TcpProxy.builder().idleTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("idleTimeout: PT0S (expected: at least PT0.001S)");
    }

    private TcpProxy proxy(InetSocketAddress upstream, Duration connectTimeout) {
        return proxy(upstream, connectTimeout, Duration.ofSeconds(300));
    }

    private TcpProxy proxy(InetSocketAddress upstream, Duration connectTimeout, Duration idleTimeout) {
        TcpProxy proxy = TcpProxy.builder()
                .eventLoopGroup(group)
                .bindAddress("127.0.0.1")
                .port(0)
                .upstreams(UpstreamPicker.fixed(upstream))
                .connectTimeout(connectTimeout)
                .idleTimeout(idleTimeout)
                .cluster("db/v1")
                .meterRegistry(registry)
                .start();
        toClose.add(proxy);
        return proxy;
    }

    private static Socket connect(TcpProxy proxy) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", proxy.port()), 2000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static void awaitNoActiveConnection(TcpProxy proxy) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (proxy.meters().active() != 0 && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
        assertThat(proxy.meters().active()).as("connections left open").isZero();
    }

    private static String readUntilEnd(InputStream in) throws IOException {
        try {
            while (in.read() != -1) {
                // the upstream sent nothing worth keeping
            }
            return "end of stream";
        } catch (SocketException reset) {
            return "reset";
        }
    }

    private static void echoUntilEndOfStream(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = in.read(buffer)) != -1) {
            out.write(buffer, 0, n);
        }
        socket.shutdownOutput();
    }

    private static void sleepQuietly(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Upstream upstream(Connection behaviour) throws IOException {
        Upstream upstream = new Upstream(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), behaviour);
        toClose.add(upstream);
        return upstream;
    }

    @FunctionalInterface
    private interface Connection {
        void handle(Socket socket) throws IOException;
    }

    /** A blocking upstream on loopback: one thread per accepted connection. */
    private static final class Upstream implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> accepted = new ArrayList<>();

        Upstream(ServerSocket server, Connection behaviour) {
            this.server = server;
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        synchronized (accepted) {
                            accepted.add(socket);
                        }
                        Thread handler = new Thread(() -> {
                            try (socket) {
                                behaviour.handle(socket);
                            } catch (IOException ignored) {
                                // the test closes sockets under the handler
                            }
                        });
                        handler.setDaemon(true);
                        handler.start();
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) server.getLocalSocketAddress();
        }

        @Override
        public void close() throws IOException {
            server.close();
            synchronized (accepted) {
                for (Socket socket : accepted) {
                    socket.close();
                }
            }
        }
    }
}
