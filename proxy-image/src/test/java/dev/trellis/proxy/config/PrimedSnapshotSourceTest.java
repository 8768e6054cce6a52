package dev.trellis.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.proxy.fixtures.Mesh;
import dev.trellis.proxy.fixtures.StaticSnapshotSource;
import dev.trellis.snapshot.ProxySnapshot;
import dev.trellis.snapshot.SnapshotSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("PrimedSnapshotSource: the first snapshot before the proxy exists")
class PrimedSnapshotSourceTest {

    private final Mesh mesh = Mesh.spec("""
              - name: orders
                port: 8081
            """).endpoint("orders", "v1", 20001);

    @Test
    @DisplayName("GIVEN a primed source WHEN snapshots arrive before and after the proxy starts THEN the proxy gets the newest at once, then each new one")
    void handsOver() throws Exception {
        ProxySnapshot one = mesh.snapshot();
        ProxySnapshot two = mesh.endpoint("orders", "v1", 20002).snapshot();
        ProxySnapshot three = mesh.endpoint("orders", "v1", 20003).snapshot();
        StaticSnapshotSource source = new StaticSnapshotSource(one);
        PrimedSnapshotSource primed = PrimedSnapshotSource.prime(source, Duration.ofSeconds(1));
        source.push(two);
        List<ProxySnapshot> applied = new CopyOnWriteArrayList<>();

        primed.start(applied::add);
        source.push(three);

        assertThat(primed.first()).isSameAs(one);
        assertThat(applied).containsExactly(two, three);
    }

    @Test
    @DisplayName("GIVEN a source that never delivers WHEN primed THEN a timeout names what was missing")
    void timesOut() {
        SnapshotSource silent = new SnapshotSource() {
            @Override
            public void start(Consumer<ProxySnapshot> listener) {
            }

            @Override
            public void close() {
            }
        };

        assertThatThrownBy(() -> PrimedSnapshotSource.prime(silent, Duration.ofMillis(50)))
                .isInstanceOf(TimeoutException.class)
                .hasMessage("first snapshot: none within PT0.05S (expected: a snapshot from the source)");
    }
}
