package dev.trellis.cloudmap.testing;

import dev.trellis.testing.aws.AwsEmulator;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fresh mesh on the emulator for one test, named apart from every other test's: its Cloud Map
 * namespace, an ECS cluster, and a plain task definition to run tasks from.
 */
public record EmulatedMesh(String mesh, String cluster, String namespaceId, String taskDefinition) {

    private static final AtomicInteger COUNT = new AtomicInteger();

    /** Creates one named {@code <prefix><n>}; the emulator's tasks stay RUNNING until a test stops them. */
    public static EmulatedMesh create(AwsEmulator aws, CloudMapFixture cloudMap, EcsFixture ecs, String prefix) {
        aws.setEcsTaskTransitionManual(10_000);
        String mesh = prefix + COUNT.incrementAndGet();
        String cluster = mesh + "-cluster";
        ecs.createCluster(cluster);
        String namespaceId = cloudMap.createNamespace(mesh);
        return new EmulatedMesh(mesh, cluster, namespaceId, ecs.registerPlainTaskDefinition(mesh + "-app"));
    }
}
