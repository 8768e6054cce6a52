package dev.trellis.controller.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RegisteredInstanceTest {

    @Test
    @DisplayName("GIVEN an EKS pod's Cloud Map instance id (namespace/pod) WHEN read THEN it is accepted")
    void acceptsPodInstanceIds() {
        RegisteredInstance pod = new RegisteredInstance("orders", "shop/orders-7d9c8b-x2x", "10.1.0.5", 15000, "v2",
                "us-east-1a", true, "shop/orders-7d9c8b-x2x");

        assertThat(pod.toEndpoint().authority()).isEqualTo("10.1.0.5:15000");
    }

    @Test
    @DisplayName("GIVEN an id with a space WHEN read THEN the alphabet Cloud Map accepts is named")
    void refusesOtherIds() {
        assertThatThrownBy(() -> new RegisteredInstance("orders", "bad id", "10.1.0.5", 15000, "v1", null, true, null))
                .hasMessageContaining("id: bad id (expected: an instance id of letters, digits, '.', '_', ':', '/', '@', '-')");
    }
}
