package dev.trellis.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.trellis.spec.internal.SchemaCheck;
import dev.trellis.spec.internal.SpecJson;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The published schema and the records must describe the same document, field for field. */
class SchemaInStepTest {

    private static final JsonNode SCHEMA = SchemaCheck.schemaTree();

    static Stream<Arguments> recordsAndTheirSchemas() {
        return Stream.of(
                Arguments.of(MeshSpec.class, "/properties"),
                Arguments.of(ServiceSpec.class, "/$defs/Service/properties"),
                Arguments.of(RouteSpec.class, "/$defs/Route/properties"),
                Arguments.of(RouteMatch.class, "/$defs/RouteMatch/properties"),
                Arguments.of(HeaderMatch.class, "/$defs/HeaderMatch/properties"),
                Arguments.of(QueryMatch.class, "/$defs/QueryMatch/properties"),
                Arguments.of(WeightedTarget.class, "/$defs/WeightedTarget/properties"),
                Arguments.of(Timeouts.class, "/$defs/Timeouts/properties"),
                Arguments.of(RetryPolicy.class, "/$defs/Retry/properties"),
                Arguments.of(RetryPolicy.Backoff.class, "/$defs/Retry/properties/backoff/properties"),
                Arguments.of(RetryPolicy.Budget.class, "/$defs/Retry/properties/budget/properties"),
                Arguments.of(ConnectionLimits.class, "/$defs/ConnectionLimits/properties"),
                Arguments.of(OutlierDetection.class, "/$defs/OutlierDetection/properties"),
                Arguments.of(CallerRule.class, "/$defs/CallerRule/properties"),
                Arguments.of(FaultInjection.class, "/$defs/FaultInjection/properties"),
                Arguments.of(FaultInjection.Delay.class, "/$defs/FaultInjection/properties/delay/properties"),
                Arguments.of(FaultInjection.Abort.class, "/$defs/FaultInjection/properties/abort/properties"),
                Arguments.of(Mirror.class, "/$defs/Mirror/properties"));
    }

    @ParameterizedTest(name = "{0} <-> {1}")
    @MethodSource("recordsAndTheirSchemas")
    void recordComponentsAreTheSchemaProperties(Class<? extends Record> type, String pointer) {
        JsonNode properties = SCHEMA.at(pointer);
        List<String> schemaNames = new ArrayList<>();
        properties.fieldNames().forEachRemaining(schemaNames::add);

        List<String> recordNames = Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList();

        assertThat(schemaNames).as("properties at %s", pointer).containsExactlyElementsOf(recordNames);
    }

    static Stream<Arguments> enumsAndTheirSchemas() {
        return Stream.of(
                Arguments.of(Protocol.class, "/$defs/Service/properties/protocol/enum"),
                Arguments.of(TlsMode.class, "/$defs/TlsMode/enum"),
                Arguments.of(LoadBalancer.class, "/$defs/Service/properties/loadBalancer/enum"),
                Arguments.of(DefaultPolicy.class, "/properties/defaultPolicy/enum"),
                Arguments.of(RetryEvent.class, "/$defs/Retry/properties/on/items/enum"),
                Arguments.of(GrpcStatus.class, "/$defs/Retry/properties/grpcStatuses/items/enum"));
    }

    @ParameterizedTest(name = "{0} <-> {1}")
    @MethodSource("enumsAndTheirSchemas")
    void enumValuesAreTheSchemaValues(Class<? extends Enum<?>> type, String pointer) {
        List<String> schemaValues = new ArrayList<>();
        SCHEMA.at(pointer).forEach(v -> schemaValues.add(v.asText()));

        List<String> written = Arrays.stream(type.getEnumConstants())
                .map(constant -> SpecJson.json().valueToTree(constant).asText()).toList();

        assertThat(schemaValues).containsExactlyElementsOf(written);
    }

    @org.junit.jupiter.api.Test
    void durationPatternIsTheParsersPattern() {
        assertThat(SCHEMA.at("/$defs/Duration/pattern").asText()).isEqualTo(Durations.PATTERN.pattern());
    }
}
