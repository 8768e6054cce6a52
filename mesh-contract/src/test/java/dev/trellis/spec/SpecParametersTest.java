package dev.trellis.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SpecParametersTest {

    private final MeshSpec shop = MeshSpecs.read(Examples.shopSpec());

    @Test
    @DisplayName("GIVEN the shop WHEN split into SSM parameters THEN there is one for the mesh and one per service")
    void onePerService() {
        assertThat(SpecParameters.toParameters(shop).keySet()).containsExactly(
                "/trellis/shop/mesh", "/trellis/shop/services/frontend",
                "/trellis/shop/services/orders", "/trellis/shop/services/payments");
    }

    @Test
    @DisplayName("GIVEN parameters in any order WHEN reassembled THEN the spec equals the normalized original")
    void reassembles() {
        Map<String, String> reversed = new LinkedHashMap<>();
        SpecParameters.toParameters(shop).entrySet().stream()
                .sorted(Map.Entry.<String, String>comparingByKey().reversed())
                .forEach(e -> reversed.put(e.getKey(), e.getValue()));

        assertThat(SpecParameters.fromParameters("shop", reversed)).isEqualTo(MeshSpecs.normalized(shop));
    }

    @Test
    @DisplayName("GIVEN a service parameter with an error WHEN reassembled THEN the problem is reported, nothing half-read")
    void refusesBadParameter() {
        Map<String, String> parameters = new LinkedHashMap<>(SpecParameters.toParameters(shop));
        parameters.put("/trellis/shop/services/orders",
                parameters.get("/trellis/shop/services/orders").replace("\"port\":8081", "\"port\":-1"));

        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class,
                () -> SpecParameters.fromParameters("shop", parameters));

        assertThat(e.problems()).extracting(SpecProblem::toString)
                .containsExactly("services[orders].port: -1 (expected: 1..65535)");
    }

    @Test
    @DisplayName("GIVEN no mesh settings parameter WHEN reassembled THEN the missing parameter is named")
    void refusesMissingSettings() {
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class,
                () -> SpecParameters.fromParameters("shop", Map.of()));

        assertThat(e.problems()).extracting(SpecProblem::toString)
                .containsExactly("/trellis/shop/mesh: missing (expected: the mesh settings parameter)");
    }
}
