package dev.trellis.ca.authority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.ca.authority.MeshCa.ScheduledRotation;
import dev.trellis.ca.store.CaStore;
import dev.trellis.ca.testing.TestMesh;
import dev.trellis.testing.time.MutableClock;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("MeshCa.rotateIfDue: the CA's own rotation on a schedule, staged before it signs")
class ScheduledRotationTest {

    private static final Duration ROOT = Duration.ofDays(10);
    private static final Duration LEAF = Duration.ofHours(1);
    private static final Duration RENEW_BEFORE = Duration.ofDays(3);

    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private final CaStore store = CaStore.inMemory();
    private final MeshCa ca = build();

    private MeshCa build() {
        return MeshCa.builder().trustDomain(TestMesh.TRUST_DOMAIN).mesh(TestMesh.MESH).store(store).clock(clock)
                .rootLifetime(ROOT).leafLifetime(LEAF).build();
    }

    /** Moves the clock to just past the point where the first root has RENEW_BEFORE left. */
    private void untilDue() {
        clock.advance(ROOT.minus(RENEW_BEFORE).plusMinutes(1));
    }

    @Test
    void GIVEN_a_young_root_WHEN_checked_THEN_nothing_happens() {
        assertThat(ca.rotateIfDue(RENEW_BEFORE)).isEqualTo(ScheduledRotation.NONE);
        assertThat(ca.trustBundle()).hasSize(1);
    }

    @Test
    void GIVEN_a_root_with_less_than_the_threshold_left_WHEN_checked_THEN_a_next_root_joins_the_bundle_but_does_not_sign() {
        X509Certificate first = ca.activeRoot();
        untilDue();

        assertThat(ca.rotateIfDue(RENEW_BEFORE)).isEqualTo(ScheduledRotation.STAGED);

        assertThat(ca.activeRoot()).isEqualTo(first);
        assertThat(ca.trustBundle()).hasSize(2).first().isEqualTo(first);
    }

    @Test
    void GIVEN_a_staged_root_WHEN_checked_before_one_leaf_lifetime_has_passed_THEN_it_waits_and_after_it_the_new_root_signs()
            throws Exception {
        X509Certificate first = ca.activeRoot();
        untilDue();
        ca.rotateIfDue(RENEW_BEFORE);
        X509Certificate staged = ca.trustBundle().get(1);

        clock.advance(LEAF);
        assertThat(ca.rotateIfDue(RENEW_BEFORE)).isEqualTo(ScheduledRotation.NONE);
        clock.advance(MeshCa.CLOCK_SKEW);
        assertThat(ca.rotateIfDue(RENEW_BEFORE)).isEqualTo(ScheduledRotation.ACTIVATED);

        assertThat(ca.activeRoot()).isEqualTo(staged);
        assertThat(ca.trustBundle()).containsExactly(staged, first);
        ca.issue(dev.trellis.ca.pki.KeyPairs.generateP256().getPublic(), TestMesh.id("orders")).leaf().verify(staged.getPublicKey());
        assertThat(ca.rotateIfDue(RENEW_BEFORE)).as("the new root is young").isEqualTo(ScheduledRotation.NONE);
    }

    @Test
    void GIVEN_a_staged_root_WHEN_the_controller_restarts_during_the_wait_THEN_the_wait_is_not_reset() {
        untilDue();
        ca.rotateIfDue(RENEW_BEFORE);
        clock.advance(LEAF.plus(MeshCa.CLOCK_SKEW));

        assertThat(build().rotateIfDue(RENEW_BEFORE)).isEqualTo(ScheduledRotation.ACTIVATED);
    }

    @Test
    void GIVEN_a_threshold_under_two_leaf_lifetimes_or_near_the_root_lifetime_WHEN_checked_THEN_it_is_refused() {
        assertThatThrownBy(() -> ca.rotateIfDue(Duration.ofMinutes(90)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("renewBefore: PT1H30M (expected: at least two leaf lifetimes, PT2H, and shorter than the root lifetime PT240H"
                        + " less two leaf lifetimes)");
        assertThatThrownBy(() -> ca.rotateIfDue(ROOT.minusHours(1))).isInstanceOf(IllegalArgumentException.class);
    }
}
