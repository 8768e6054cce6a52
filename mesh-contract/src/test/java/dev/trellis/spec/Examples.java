package dev.trellis.spec;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the repository's shipped examples from a module's working directory. */
public final class Examples {

    private Examples() {
    }

    public static Path shopSpec() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("examples/shop/mesh.yaml");
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("examples/shop/mesh.yaml not found above " + Path.of("").toAbsolutePath());
    }
}
