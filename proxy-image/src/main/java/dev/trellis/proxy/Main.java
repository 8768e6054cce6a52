package dev.trellis.proxy;

import dev.trellis.naming.MeshPorts;
import dev.trellis.proxy.config.FileSnapshotSource;
import dev.trellis.proxy.http.HttpLimits;
import dev.trellis.proxy.metrics.ProxyMetrics;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The sidecar's entry point: parses the command line and wires the proxy; nothing else. */
@Command(name = "trellis-proxy", mixinStandardHelpOptions = true,
        description = "The Trellis sidecar proxy: outbound and inbound HTTP/1.1, HTTP/2 and gRPC listeners.")
public final class Main implements Callable<Integer> {

    @Option(names = "--snapshot", required = true, description = "Proxy snapshot JSON file, watched for changes.")
    Path snapshot;

    @Option(names = "--outbound-port", description = "Outbound listener port (default: ${DEFAULT-VALUE}).")
    int outboundPort = MeshPorts.OUTBOUND;

    @Option(names = "--inbound-port", description = "Inbound listener port (default: ${DEFAULT-VALUE}).")
    int inboundPort = MeshPorts.INBOUND;

    @Option(names = "--admin-port", description = "Admin port (default: ${DEFAULT-VALUE}).")
    int adminPort = MeshPorts.ADMIN;

    @Option(names = "--bind", description = "Listener address (default: ${DEFAULT-VALUE}).")
    String bind = "0.0.0.0";

    @Option(names = "--max-header-size", description = "Largest request header block in bytes; more is 431 (default: ${DEFAULT-VALUE}).")
    int maxHeaderSize = HttpLimits.DEFAULT.maxHeaderSize();

    @Option(names = "--max-initial-line", description = "Longest request line in bytes; more is 414 (default: ${DEFAULT-VALUE}).")
    int maxInitialLine = HttpLimits.DEFAULT.maxInitialLineLength();

    @Option(names = "--retry-buffer", description = "Request body bytes kept for retries (default: ${DEFAULT-VALUE}).")
    int retryBuffer = HttpLimits.DEFAULT.retryBufferBytes();

    @Option(names = "--event-loops", description = "Event loop threads (default: available processors).")
    int eventLoops = Runtime.getRuntime().availableProcessors();

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        HttpLimits limits = HttpLimits.DEFAULT.withMaxHeaderSize(maxHeaderSize)
                .withMaxInitialLineLength(maxInitialLine).withRetryBufferBytes(retryBuffer);
        ProxyServer proxy = ProxyServer.builder(FileSnapshotSource.of(snapshot))
                .bindAddress(bind).outboundPort(outboundPort).inboundPort(inboundPort)
                .limits(limits).eventLoops(eventLoops).metrics(ProxyMetrics.noop())
                .build().start();
        System.out.printf("trellis-proxy ready in %d ms (%s): outbound %d, inbound %d, snapshot %s%n",
                (System.nanoTime() - started) / 1_000_000, proxy.transportName(), proxy.outboundPort(),
                proxy.inboundPort(), proxy.currentSnapshot().get().version());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            proxy.close();
            stopped.countDown();
        }, "trellis-shutdown"));
        stopped.await();
        return 0;
    }
}
