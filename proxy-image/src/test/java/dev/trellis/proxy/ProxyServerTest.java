package dev.trellis.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.proxy.config.FileSnapshotSource;
import dev.trellis.proxy.fixtures.Clients;
import dev.trellis.proxy.fixtures.Mesh;
import dev.trellis.proxy.fixtures.UpstreamServer;
import dev.trellis.snapshot.Snapshots;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@DisplayName("ProxyServer and Main: start-up, drain, command line")
class ProxyServerTest {

    @TempDir
    Path dir;

    @Test
    @DisplayName("GIVEN a snapshot file WHEN the proxy starts THEN it is ready, configured, and serves at once")
    void startsFromFile() throws Exception {
        try (UpstreamServer orders = UpstreamServer.http1("orders", UpstreamServer.echo())) {
            Path file = dir.resolve("snapshot.json");
            Files.writeString(file, Snapshots.toJson(Mesh.spec("""
                      - name: orders
                        port: 8081
                    """).endpoints("orders", "v1", orders).snapshot()));
            long started = System.nanoTime();
            try (ProxyServer proxy = ProxyServer.builder(FileSnapshotSource.of(file)).bindAddress("127.0.0.1")
                    .outboundPort(0).inboundPort(0).eventLoops(1).build().start()) {
                long readyMillis = (System.nanoTime() - started) / 1_000_000;

                assertThat(proxy.ready()).isTrue();
                assertThat(proxy.currentSnapshot().get().service()).isEqualTo("app");
                assertThat(Clients.raw(proxy.outboundPort(), "GET / HTTP/1.1\r\nHost: orders\r\nConnection: close\r\n\r\n",
                        3000)).startsWith("HTTP/1.1 200 OK");
                assertThat(readyMillis).isLessThan(5_000);
            }
        }
    }

    @Test
    @DisplayName("GIVEN an unreadable snapshot WHEN the proxy starts THEN start fails with the file's problem and nothing stays bound")
    void badSnapshotFailsStart() {
        Path file = dir.resolve("broken.json");
        assertThatThrownBy(() -> ProxyServer.builder(FileSnapshotSource.of(file)).bindAddress("127.0.0.1")
                .outboundPort(0).inboundPort(0).eventLoops(1).build().start())
                .hasMessageContaining("broken.json");
    }

    @Test
    @DisplayName("GIVEN an idle keep-alive connection and a busy one WHEN the proxy drains THEN the idle one closes now and the busy one after its response, with Connection: close")
    void drain() throws Exception {
        try (UpstreamServer slow = UpstreamServer.http1("slow", r -> UpstreamServer.delay(400, UpstreamServer.ok("done")));
             ProxyServer proxy = Mesh.start(Mesh.spec("""
                       - name: orders
                         port: 8081
                     """).endpoints("orders", "v1", slow).snapshot());
             Socket idle = new Socket("127.0.0.1", proxy.outboundPort());
             Socket busy = new Socket("127.0.0.1", proxy.outboundPort())) {
            idle.setSoTimeout(3000);
            busy.setSoTimeout(3000);
            OutputStream out = busy.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: orders\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(100);

            proxy.startDrain();

            assertThat(idle.getInputStream().read()).isEqualTo(-1);
            InputStream in = busy.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(response).startsWith("HTTP/1.1 200 OK\r\n").contains("connection: close\r\n").endsWith("done");
        }
    }

    @Test
    @DisplayName("GIVEN the command line WHEN --help is asked THEN every option is listed; WHEN neither --snapshot nor --controller is given THEN exit code 2")
    void commandLine() {
        CommandLine cli = new CommandLine(new Main());
        String usage = cli.getUsageMessage();

        assertThat(usage).contains("--snapshot", "--outbound-port", "--inbound-port", "--app-port", "--admin-port",
                "--max-header-size", "--retry-buffer", "--event-loops", "--controller", "--service", "--identity-proof",
                "--bootstrap-token", "--snapshot-cache");
        assertThat(cli.execute()).isEqualTo(2);
    }
}
