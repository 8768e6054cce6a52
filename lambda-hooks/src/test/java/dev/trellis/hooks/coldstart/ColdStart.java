package dev.trellis.hooks.coldstart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trellis.hooks.EventJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Measures a handler's cold start in a fresh JVM on the shaded Lambda jar (the system property
 * {@code trellis.lambda.jar}, set by failsafe), with the JVM flags the Lambda Java 17 runtime
 * uses by default (C1 only, {@code -XX:TieredStopAtLevel=1}). The figures are appended, with the time of measurement, to
 * {@code target/cold-start.txt}; {@code -Dtrellis.coldstart.runs=N} measures N cold starts per handler.
 */
public final class ColdStart {

    /** The JVM flags of the measurement: Lambda's Java 17 defaults, and a 512 MB function's heap. */
    public static final List<String> JVM_FLAGS = List.of(
            "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx400m", "-Xshare:auto");

    private static final Pattern FIGURES = Pattern.compile(
            "figures jvmToMainMs=(\\d+) initMs=(\\d+) firstInvokeMs=(\\d+) secondInvokeMs=(\\d+) jvmStartToFirstAnswerMs=(\\d+)");

    /**
     * One cold start's figures, in milliseconds.
     *
     * @param jvmToMain JVM start until {@code main}
     * @param init loading the handler class and running its constructor (clients, settings)
     * @param firstInvoke the first invocation, AWS calls included
     * @param secondInvoke the same event again, warm
     * @param jvmStartToFirstAnswer everything from JVM start to the first answer
     * @param answer what the first invocation answered
     */
    public record Figures(long jvmToMain, long init, long firstInvoke, long secondInvoke, long jvmStartToFirstAnswer,
                          JsonNode answer) {
        @Override
        public String toString() {
            return "jvm→main " + jvmToMain + " ms, init " + init + " ms, first invoke " + firstInvoke
                    + " ms, second invoke " + secondInvoke + " ms, JVM start→first answer " + jvmStartToFirstAnswer + " ms";
        }
    }

    /** System property: how many cold starts to measure per handler. */
    public static final String RUNS_PROPERTY = "trellis.coldstart.runs";

    private ColdStart() {
    }

    private static Path jar() {
        return Path.of(System.getProperty("trellis.lambda.jar", "target/trellis-lambda-hooks.jar"));
    }

    private static void append(String line) {
        try {
            Files.writeString(jar().resolveSibling("cold-start.txt"), Instant.now().truncatedTo(ChronoUnit.SECONDS) + " " + line,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Cold-starts {@code handler} {@value #RUNS_PROPERTY} times (1 unless the system property says
     * otherwise), each in a new JVM with {@code environment}, on the event {@code prepare} returns
     * after setting the emulator up afresh; records every run's figures, and the median run's.
     */
    public static List<Figures> measure(Class<?> handler, Supplier<String> prepare, Map<String, String> environment) {
        int runs = Integer.getInteger(RUNS_PROPERTY, 1);
        List<Figures> all = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            all.add(measureOnce(handler, prepare.get(), environment));
        }
        if (runs > 1) {
            List<Figures> sorted = new ArrayList<>(all);
            sorted.sort(Comparator.comparingLong(Figures::jvmStartToFirstAnswer));
            append(handler.getSimpleName() + " median of " + runs + ": " + sorted.get(runs / 2) + "\n");
        }
        return all;
    }

    private static Figures measureOnce(Class<?> handler, String event, Map<String, String> environment) {
        try {
            Path jar = jar();
            assertThat(jar).as("the shaded Lambda jar (run through failsafe, after package)").isRegularFile();
            Path probeClasses = Path.of(ColdStartProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path eventFile = Files.createTempFile("lambda-event", ".json");
            Files.writeString(eventFile, event);
            Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
            List<String> command = new ArrayList<>();
            command.add(javaBin.toString());
            command.addAll(JVM_FLAGS);
            command.addAll(List.of("-cp", jar + java.io.File.pathSeparator + probeClasses,
                    ColdStartProbe.class.getName(), handler.getName(), eventFile.toString()));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(false);
            builder.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("TRELLIS_")
                    || k.equals("JAVA_TOOL_OPTIONS"));
            builder.environment().putAll(environment);
            Path stderr = Files.createTempFile("lambda-stderr", ".txt");
            builder.redirectError(stderr.toFile());
            Process process = builder.start();
            String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(90, TimeUnit.SECONDS)).as("the probe JVM ends").isTrue();
            assertThat(process.exitValue()).as("probe exit code; stdout:%n%s%nstderr:%n%s", stdout, Files.readString(stderr))
                    .isZero();
            Matcher m = FIGURES.matcher(stdout);
            assertThat(m.find()).as("figures in:%n%s", stdout).isTrue();
            String answerLine = stdout.lines().filter(l -> l.startsWith("answer ")).findFirst().orElseThrow();
            Figures figures = new Figures(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                    Long.parseLong(m.group(4)), Long.parseLong(m.group(5)),
                    EventJson.readObject(answerLine.substring("answer ".length())));
            append(handler.getSimpleName() + ": " + figures
                    + " (jar " + Files.size(jar) / 1024 + " KiB, flags " + String.join(" ", JVM_FLAGS) + ")\n");
            Files.deleteIfExists(eventFile);
            Files.deleteIfExists(stderr);
            return figures;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
