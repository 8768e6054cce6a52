package dev.trellis.controller.spec;

import dev.trellis.spec.MeshSpec;
import dev.trellis.spec.MeshSpecs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The spec as one YAML or JSON file: the local mode. */
public final class FileSpecReader implements SpecReader<String> {

    private final Path file;

    public FileSpecReader(Path file) {
        this.file = file.toAbsolutePath();
    }

    @Override
    public String source() {
        return "file:" + file;
    }

    @Override
    public String fetch() {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("spec file: " + file + " (expected: a readable YAML or JSON file)", e);
        }
    }

    @Override
    public MeshSpec parse(String raw) {
        return MeshSpecs.parse(raw, file.toString());
    }
}
