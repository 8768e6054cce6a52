package dev.trellis.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest(name = "{0} <-> {1} ms")
    @CsvSource({"250ms,250", "15s,15000", "5m,300000", "1h,3600000", "1500ms,1500", "0s,0"})
    void parsesAndWritesTheShortestExactForm(String text, long millis) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.ofMillis(millis));
        assertThat(Durations.format(Duration.ofMillis(millis))).isEqualTo(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"15", "15 s", "1.5s", "-1s", "PT15S", "15sec", ""})
    void refusesOtherForms(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("duration: " + text + " (expected: a number and a unit, such as 250ms, 15s, 5m or 1h)");
    }
}
