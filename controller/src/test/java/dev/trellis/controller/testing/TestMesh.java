package dev.trellis.controller.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Spec documents for tests: the shop mesh (frontend, orders v1/v2, payments), and edits of it. */
public final class TestMesh {

    public static final String SHOP = """
            apiVersion: trellis.dev/v1
            mesh: shop
            services:
              - name: frontend
                port: 8080
              - name: orders
                port: 8081
                versions: [v1, v2]
                routes:
                  - name: canary
                    match:
                      pathPrefix: /
                    targets:
                      - version: v1
                        weight: 90
                      - version: v2
                        weight: 10
              - name: payments
                port: 8082
            """;

    private TestMesh() {
    }

    /** The shop with the canary at the given weight of v2. */
    public static String shopWithCanary(int v2Weight) {
        return SHOP.replace("weight: 90", "weight: " + (100 - v2Weight)).replace("weight: 10", "weight: " + v2Weight);
    }

    /** The shop with payments on an invalid port. */
    public static String shopWithInvalidPort() {
        return SHOP.replace("port: 8082", "port: 0");
    }

    /** Replaces a file's content atomically, so a poll never reads half of it. */
    public static void write(Path file, String content) {
        try {
            Path temp = Files.createTempFile(file.getParent(), "spec", ".tmp");
            Files.writeString(temp, content);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
