package dev.trellis.cloudmap.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class KeyValueLineTest {

    @Test
    @DisplayName("GIVEN plain values WHEN formatted THEN they are key=value pairs separated by spaces, null values left out")
    void plainPairs() {
        assertThat(KeyValueLine.of("action", "register", "zone", null, "port", 15000))
                .isEqualTo("action=register port=15000");
    }

    @Test
    @DisplayName("GIVEN values with spaces, quotes, '=' or newlines WHEN formatted THEN they are quoted and escaped so the line stays one line")
    void quotesWhatWouldBreakTheLine() {
        assertThat(KeyValueLine.of("error", "Rate exceeded", "note", "a=\"b\"\nc", "empty", ""))
                .isEqualTo("error=\"Rate exceeded\" note=\"a=\\\"b\\\"\\nc\" empty=\"\"");
    }

    @Test
    @DisplayName("GIVEN an odd number of items WHEN formatted THEN the error says pairs are expected")
    void rejectsOddItems() {
        assertThatThrownBy(() -> KeyValueLine.of("action")).hasMessage("keysAndValues: 1 items (expected: pairs)");
    }
}
