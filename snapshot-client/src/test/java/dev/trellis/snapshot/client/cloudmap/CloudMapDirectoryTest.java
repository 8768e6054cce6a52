package dev.trellis.snapshot.client.cloudmap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.testing.aws.AwsEmulator;
import dev.trellis.testing.aws.WithAwsEmulator;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Reading instances with DiscoverInstances, against moto. */
@WithAwsEmulator
class CloudMapDirectoryTest {

    @Test
    @DisplayName("GIVEN registered instances, one unhealthy WHEN the directory reads the service THEN every instance comes back with its version, zone and health")
    void readsEveryInstanceWithItsAttributesAndHealth(AwsEmulator aws) {
        aws.reset();
        CloudMapFixture fixture = new CloudMapFixture(aws.clients().serviceDiscovery(), "shop.local");
        fixture.register("orders", "task-1", "10.0.1.1", 15000, "v1");
        fixture.register("orders", "task-2", "10.0.1.2", 15000, "v2");
        fixture.markUnhealthy("orders", "task-2");

        var instances = CloudMapDirectory.of(aws.clients().serviceDiscovery()).discover("shop.local", "orders");

        assertThat(instances).containsExactlyInAnyOrder(
                new DiscoveredInstance("task-1", "orders", "10.0.1.1", 15000, "v1", "us-east-1a", true, null),
                new DiscoveredInstance("task-2", "orders", "10.0.1.2", 15000, "v2", "us-east-1a", false, null));
    }

    @Test
    @DisplayName("GIVEN a service Cloud Map does not have WHEN the directory reads it THEN it has no instances")
    void unknownServiceHasNoInstances(AwsEmulator aws) {
        aws.reset();
        new CloudMapFixture(aws.clients().serviceDiscovery(), "shop.local");

        assertThat(CloudMapDirectory.of(aws.clients().serviceDiscovery()).discover("shop.local", "payments")).isEmpty();
    }

    @Test
    @DisplayName("GIVEN attributes without a port, or with a bad one WHEN read THEN the instance is skipped; without a version it runs v1")
    void attributesAreReadStrictly() {
        assertThat(DiscoveredInstance.fromAttributes("a", "s", Map.of("AWS_INSTANCE_IPV4", "10.0.0.1"), true)).isEmpty();
        assertThat(DiscoveredInstance.fromAttributes("a", "s",
                Map.of("AWS_INSTANCE_IPV4", "10.0.0.1", "AWS_INSTANCE_PORT", "http"), true)).isEmpty();
        assertThat(DiscoveredInstance.fromAttributes("a", "s",
                Map.of("AWS_INSTANCE_IPV4", "10.0.0.1", "AWS_INSTANCE_PORT", "70000"), true)).isEmpty();
        assertThat(DiscoveredInstance.fromAttributes("a", "s",
                Map.of("AWS_INSTANCE_IPV4", "10.0.0.1", "AWS_INSTANCE_PORT", "15000"), true))
                .hasValueSatisfying(i -> assertThat(i.version()).isEqualTo("v1"));
    }
}
