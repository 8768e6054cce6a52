package dev.trellis.cdk.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Small files the constructs need on disk. */
public final class Fixtures {

    private Fixtures() {
    }

    /** A jar standing in for the lambda-hooks deployment jar: CDK only hashes and stages it. */
    public static Path hooksJar(Path directory) {
        Path jar = directory.resolve("lambda-hooks.jar");
        try (OutputStream out = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry("dev/trellis/hooks/README"));
            zip.write("stand-in for the hooks jar".getBytes());
            zip.closeEntry();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return jar;
    }
}
