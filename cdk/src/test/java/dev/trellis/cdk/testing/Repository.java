package dev.trellis.cdk.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository root, wherever the tests run from (Maven runs them in cdk/). */
public final class Repository {

    private Repository() {
    }

    public static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isRegularFile(dir.resolve("cdk.json"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no cdk.json above " + Path.of("").toAbsolutePath() + " (expected: the repository root)");
        }
        return dir;
    }
}
