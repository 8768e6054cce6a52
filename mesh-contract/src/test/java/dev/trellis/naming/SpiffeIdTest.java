package dev.trellis.naming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SpiffeIdTest {

    @Test
    @DisplayName("GIVEN a service WHEN its identity is written and parsed THEN both forms agree")
    void roundTrips() {
        SpiffeId id = SpiffeId.of("shop.trellis.local", "shop", "orders");

        assertThat(id.uri()).isEqualTo("spiffe://shop.trellis.local/mesh/shop/service/orders");
        assertThat(SpiffeId.parse(id.uri())).isEqualTo(id);
    }

    @Test
    @DisplayName("GIVEN a URI of another shape WHEN parsed THEN the expected shape is given")
    void refusesOtherShapes() {
        assertThatThrownBy(() -> SpiffeId.parse("spiffe://shop.trellis.local/ns/default/sa/orders"))
                .hasMessage("SPIFFE ID: spiffe://shop.trellis.local/ns/default/sa/orders "
                        + "(expected: spiffe://<trust-domain>/mesh/<mesh>/service/<name>)");
    }
}
