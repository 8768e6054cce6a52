package dev.trellis.hooks.ecs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EcsHookSettingsTest {

    @Test
    void givenMeshAndClusters_whenRead_thenClustersAreSplitAndThePortIsTheProxysInbound() {
        EcsHookSettings settings = EcsHookSettings.fromEnvironment(Map.of(
                "TRELLIS_MESH", "shop", "TRELLIS_ECS_CLUSTERS", " prod , arn:aws:ecs:us-east-1:123456789012:cluster/batch,"));

        assertThat(settings).isEqualTo(new EcsHookSettings("shop",
                List.of("prod", "arn:aws:ecs:us-east-1:123456789012:cluster/batch"), 15000));
    }

    @Test
    void givenNoClusters_whenRead_thenRefusedNamingTheVariable() {
        assertThatThrownBy(() -> EcsHookSettings.fromEnvironment(Map.of("TRELLIS_MESH", "shop", "TRELLIS_ECS_CLUSTERS", " , ")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TRELLIS_ECS_CLUSTERS: \" , \" (expected: ECS cluster names or ARNs, comma-separated)");
    }

    @Test
    void givenAPortThatIsNotANumber_whenRead_thenRefused() {
        assertThatThrownBy(() -> EcsHookSettings.fromEnvironment(Map.of(
                "TRELLIS_MESH", "shop", "TRELLIS_ECS_CLUSTERS", "prod", "TRELLIS_PROXY_PORT", "http")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TRELLIS_PROXY_PORT: \"http\" (expected: 1..65535)");
    }
}
