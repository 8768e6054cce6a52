package dev.trellis.testing.aws.internal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * A {@code moto_server} subprocess on a free loopback port, its output appended to a log file.
 *
 * <p>Candidates are tried in order until one answers HTTP: the command in the system property
 * {@value #COMMAND_PROPERTY} if set (split on whitespace), otherwise {@code moto_server} and then
 * {@code python3 -m moto.server}. When none starts, an {@link ExtensionConfigurationException} says what was
 * tried, what happened, and how to install moto.
 */
public final class MotoServer implements RunningEmulator {

    /** System property holding the command that starts moto, for example {@code /opt/venv/bin/moto_server}. */
    public static final String COMMAND_PROPERTY = "trellis.moto.command";
    /** How to install moto, quoted in the failure message. */
    public static final String INSTALL_HINT = "pip install 'moto[server]'";
    /** Where moto's output goes, relative to the working directory (the module's directory under Maven). */
    public static final Path DEFAULT_LOG = Path.of("target", "moto-server.log");

    private static final String LOOPBACK = "127.0.0.1";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final int PORT_ATTEMPTS = 3;

    private final Process process;
    private final URI endpoint;
    private final Path log;
    private final Thread shutdownHook;

    private MotoServer(Process process, URI endpoint, Path log) {
        this.process = process;
        this.endpoint = endpoint;
        this.log = log;
        this.shutdownHook = new Thread(this::stopProcess, "moto-server-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts moto with the configured or default commands, logging to {@link #DEFAULT_LOG}. */
    public static MotoServer start() {
        return start(commandCandidates(), DEFAULT_LOG);
    }

    /**
     * Starts the first candidate command that answers; {@code -H 127.0.0.1 -p <port>} is appended
     * to each.
     *
     * @throws ExtensionConfigurationException when no candidate starts
     */
    public static MotoServer start(List<List<String>> candidates, Path log) {
        Path logFile = log.toAbsolutePath();
        try {
            Files.createDirectories(logFile.getParent());
        } catch (IOException e) {
            throw new IllegalStateException("cannot create the directory for moto's log " + logFile, e);
        }
        List<String> tried = new ArrayList<>();
        for (List<String> candidate : candidates) {
            for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
                Outcome outcome = tryStart(candidate, logFile);
                if (outcome.server != null) {
                    return outcome.server;
                }
                tried.add(outcome.failure);
                if (!outcome.portTaken) {
                    break;
                }
            }
        }
        throw new ExtensionConfigurationException(unavailableMessage(tried, logFile));
    }

    /** The command candidates: the {@value #COMMAND_PROPERTY} property alone, or the defaults. */
    public static List<List<String>> commandCandidates() {
        String configured = System.getProperty(COMMAND_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return List.of(Arrays.asList(configured.strip().split("\\s+")));
        }
        return List.of(List.of("moto_server"), List.of("python3", "-m", "moto.server"));
    }

    /** The message for when moto cannot be started: what was tried and how to install it. */
    static String unavailableMessage(List<String> tried, Path log) {
        StringBuilder message = new StringBuilder("The AWS emulator (moto) could not be started. Tried:\n");
        for (String attempt : tried) {
            message.append("  - ").append(attempt).append('\n');
        }
        message.append("Install moto with: ").append(INSTALL_HINT)
                .append(" (it provides the moto_server command; it must be on PATH),\n")
                .append("or name the command with -D").append(COMMAND_PROPERTY)
                .append("=/path/to/moto_server.\n")
                .append("moto's output: ").append(log);
        return message.toString();
    }

    @Override
    public URI endpoint() {
        return endpoint;
    }

    /** The file moto's output is appended to. */
    public Path log() {
        return log;
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs (or ran) stopProcess itself
        }
        stopProcess();
    }

    @Override
    public String toString() {
        return "moto_server at " + endpoint + " (pid " + process.pid() + ", log " + log + ")";
    }

    private void stopProcess() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static Outcome tryStart(List<String> candidate, Path log) {
        int port = freeLoopbackPort();
        List<String> command = new ArrayList<>(candidate);
        command.addAll(List.of("-H", LOOPBACK, "-p", Integer.toString(port)));
        String shown = String.join(" ", command);
        long logOffset = sizeOf(log);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().put("PYTHONUNBUFFERED", "1");
        appendLine(log, "=== " + Instant.now() + " starting: " + shown);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return Outcome.failed(shown + ": cannot run it (" + e.getMessage() + ")", false);
        }
        URI endpoint = URI.create("http://" + LOOPBACK + ":" + port);
        URI probe = endpoint.resolve("/moto-api/data.json");
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                String output = readFrom(log, logOffset);
                return Outcome.failed(shown + ": exited with code " + process.exitValue()
                        + " before answering; its last output: " + lastLines(output, 3),
                        output.contains("Address already in use"));
            }
            if (EmulatorHttp.answers(probe)) {
                return Outcome.started(new MotoServer(process, endpoint, log));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + shown, e);
            }
        }
        process.destroyForcibly();
        return Outcome.failed(shown + ": did not answer at " + probe + " within " + START_TIMEOUT.toSeconds()
                + " s; its last output: " + lastLines(readFrom(log, logOffset), 3), false);
    }

    private static int freeLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free loopback port for moto", e);
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static void appendLine(Path file, String line) {
        try {
            Files.writeString(file, line + System.lineSeparator(), StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write moto's log " + file, e);
        }
    }

    private static String readFrom(Path file, long offset) {
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
            long length = in.length();
            if (length <= offset) {
                return "";
            }
            byte[] bytes = new byte[(int) Math.min(length - offset, 64 * 1024)];
            in.seek(length - bytes.length);
            in.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static String lastLines(String text, int count) {
        List<String> lines = text.lines()
                .filter(line -> !line.isBlank() && !line.startsWith("=== "))
                .toList();
        if (lines.isEmpty()) {
            return "(none)";
        }
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - count), lines.size()));
    }

    private record Outcome(MotoServer server, String failure, boolean portTaken) {
        static Outcome started(MotoServer server) {
            return new Outcome(server, null, false);
        }

        static Outcome failed(String failure, boolean portTaken) {
            return new Outcome(null, failure, portTaken);
        }
    }
}
