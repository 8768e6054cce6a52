package dev.trellis.cli.up;

import java.nio.file.Files;
import java.nio.file.Path;

/** The shipped shop example, found from the module's working directory. */
final class ShopExample {

    private ShopExample() {
    }

    static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("examples/shop/mesh.yaml"))) {
                return p;
            }
        }
        throw new IllegalStateException("examples/shop/mesh.yaml not found above " + Path.of("").toAbsolutePath());
    }

    static Path spec() {
        return repositoryRoot().resolve("examples/shop/mesh.yaml");
    }
}
