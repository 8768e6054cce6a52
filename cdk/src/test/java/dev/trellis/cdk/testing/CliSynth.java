package dev.trellis.cdk.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * `cdk synth` from the repository root with the pinned CLI, then cfn-lint on what it wrote. It is
 * two other processes (the CLI and the app's JVM), so it starts once, early, in the background
 * ({@link StartCliSynthEarly}) and the in-process tests run meanwhile.
 */
public final class CliSynth {

    /** What one run left. */
    public record Result(int exitCode, String output, Path outdir, List<Path> templates, List<CfnLint.Finding> findings) {
    }

    private static CompletableFuture<Result> running;

    private CliSynth() {
    }

    public static synchronized CompletableFuture<Result> start() {
        if (running == null) {
            running = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                try {
                    running.complete(run());
                } catch (RuntimeException e) {
                    running.completeExceptionally(e);
                }
            }, "cdk-synth-cli");
            thread.setDaemon(true);
            thread.start();
        }
        return running;
    }

    private static Result run() {
        Path root = Repository.root();
        Path outdir = root.resolve("cdk/target/cli-synth.out");
        try {
            deleteTree(outdir);
            ProcessBuilder cdk = new ProcessBuilder(root.resolve("cdk/node_modules/.bin/cdk").toString(),
                    "synth", "--no-notices", "--quiet", "--output", outdir.toString())
                    .directory(root.toFile())
                    .redirectErrorStream(true);
            cdk.environment().put("CDK_DISABLE_CLI_TELEMETRY", "true");
            Process process = cdk.start();
            byte[] bytes = process.getInputStream().readAllBytes();
            if (!process.waitFor(300, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("cdk synth: no end within 300 s");
            }
            List<Path> templates;
            try (Stream<Path> files = Files.exists(outdir) ? Files.list(outdir) : Stream.empty()) {
                templates = files.filter(f -> f.getFileName().toString().endsWith(".template.json")).sorted().toList();
            }
            List<CfnLint.Finding> findings = templates.isEmpty() ? List.of() : CfnLint.lint(templates);
            return new Result(process.exitValue(), new String(bytes, StandardCharsets.UTF_8), outdir, templates, findings);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
