package dev.trellis.controller.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** How the long-poll headers are read: {@code If-None-Match} and {@code Prefer: wait=N}. */
class SnapshotRequestHeadersTest {

    @Test
    @DisplayName("GIVEN no Prefer header THEN the wait is 30 seconds")
    void defaultWait() {
        assertThat(SnapshotRoute.waitSeconds(List.of())).isEqualTo(30);
        assertThat(SnapshotRoute.waitSeconds(List.of("return=minimal"))).isEqualTo(30);
    }

    @Test
    @DisplayName("GIVEN Prefer: wait=N THEN the wait is N, capped at 60")
    void preferWait() {
        assertThat(SnapshotRoute.waitSeconds(List.of("wait=5"))).isEqualTo(5);
        assertThat(SnapshotRoute.waitSeconds(List.of("return=minimal, wait=12"))).isEqualTo(12);
        assertThat(SnapshotRoute.waitSeconds(List.of("wait=0"))).isZero();
        assertThat(SnapshotRoute.waitSeconds(List.of("wait=120"))).isEqualTo(60);
        assertThat(SnapshotRoute.waitSeconds(List.of("wait=99999999999999"))).isEqualTo(60);
    }

    @Test
    @DisplayName("GIVEN strong, weak, unquoted or empty entity tags THEN the held version is read or absent")
    void etags() {
        assertThat(SnapshotRoute.etag("\"abc\"")).isEqualTo("abc");
        assertThat(SnapshotRoute.etag("W/\"abc\"")).isEqualTo("abc");
        assertThat(SnapshotRoute.etag("abc")).isEqualTo("abc");
        assertThat(SnapshotRoute.etag("\"\"")).isNull();
        assertThat(SnapshotRoute.etag(null)).isNull();
    }
}
