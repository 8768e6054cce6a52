package dev.trellis.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainDurationConverterTest {

    private final Main.DurationConverter converter = new Main.DurationConverter();

    @Test
    @DisplayName("GIVEN the spec's duration form or ISO-8601 WHEN converted THEN both are accepted")
    void acceptsSpecFormAndIso() {
        assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(converter.convert("20s")).isEqualTo(Duration.ofSeconds(20));
        assertThat(converter.convert("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(converter.convert("PT20S")).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    @DisplayName("GIVEN neither form WHEN converted THEN the error shows the value and the accepted forms")
    void refusesOthers() {
        assertThatThrownBy(() -> converter.convert("soon"))
                .isInstanceOf(CommandLine.TypeConversionException.class)
                .hasMessage("duration: soon (expected: such as 500ms, 20s, 1m or PT20S)");
    }
}
