package dev.trellis.cdk.example;

import java.nio.file.Files;
import java.nio.file.Path;
import software.amazon.awscdk.App;
import software.amazon.awscdk.StackProps;

/**
 * The CDK app of {@code cdk.json} at the repository root. Context values (cdk.json or
 * {@code cdk synth -c key=value}): {@code trellis:imageRegistry}, {@code trellis:imageTag},
 * {@code trellis:hooksJar} (the mesh gets its Lambda hooks when that file exists).
 */
public final class ShopApp {

    public static final String DEFAULT_REGISTRY = "public.ecr.aws/trellis";
    public static final String DEFAULT_TAG = "0.1.0";
    public static final String DEFAULT_HOOKS_JAR = "lambda-hooks/target/trellis-lambda-hooks.jar";

    private ShopApp() {
    }

    public static void main(String[] args) {
        App app = new App();
        build(app);
        app.synth();
    }

    /** Adds the shop stack to an app, reading the app's context. */
    public static ShopStack build(App app) {
        String hooksJar = context(app, "trellis:hooksJar", DEFAULT_HOOKS_JAR);
        return new ShopStack(app, "TrellisShop", new ShopStackProps(
                StackProps.builder().description("Trellis example: the shop mesh on ECS Fargate").build(),
                context(app, "trellis:imageRegistry", DEFAULT_REGISTRY),
                context(app, "trellis:imageTag", DEFAULT_TAG),
                Files.isRegularFile(Path.of(hooksJar)) ? hooksJar : null));
    }

    private static String context(App app, String key, String fallback) {
        Object value = app.getNode().tryGetContext(key);
        return value != null ? value.toString() : fallback;
    }
}
