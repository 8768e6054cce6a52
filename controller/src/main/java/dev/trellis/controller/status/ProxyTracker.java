package dev.trellis.controller.status;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The proxies that polled the controller, by the id in their {@code X-Trellis-Proxy} header:
 * which snapshot version each last received (or had confirmed by a {@code 304}) and when.
 * Proxies silent for longer than {@code forgetAfter} are forgotten.
 */
public final class ProxyTracker {

    private final Clock clock;
    private final Duration forgetAfter;
    private final Map<String, ProxyStatus> proxies = new ConcurrentHashMap<>();

    public ProxyTracker(Clock clock, Duration forgetAfter) {
        this.clock = clock;
        this.forgetAfter = forgetAfter;
    }

    public static ProxyTracker create() {
        return new ProxyTracker(Clock.systemUTC(), Duration.ofMinutes(10));
    }

    /** A proxy asked for a snapshot and now waits. */
    public void waiting(String id, String service, String address) {
        Instant now = clock.instant();
        proxies.compute(id, (k, was) -> new ProxyStatus(id, service, address,
                was != null && was.service().equals(service) ? was.version() : null,
                was != null && was.service().equals(service) ? was.fetchedAt() : null, now, true));
    }

    /** A proxy now holds {@code version}: it was sent, or the proxy's own was confirmed current. */
    public void holds(String id, String service, String address, String version) {
        Instant now = clock.instant();
        proxies.put(id, new ProxyStatus(id, service, address, version, now, now, false));
    }

    /** A proxy's wait ended without a new snapshot, or its connection closed. */
    public void released(String id) {
        proxies.computeIfPresent(id, (k, was) -> new ProxyStatus(was.id(), was.service(), was.address(),
                was.version(), was.fetchedAt(), clock.instant(), false));
    }

    /** Every proxy seen lately, by id. */
    public List<ProxyStatus> proxies() {
        Instant horizon = clock.instant().minus(forgetAfter);
        proxies.values().removeIf(p -> !p.waiting() && p.lastSeenAt().isBefore(horizon));
        return proxies.values().stream().sorted(Comparator.comparing(ProxyStatus::id)).toList();
    }

    /**
     * @param id the proxy's id
     * @param service the service it proxies
     * @param address its remote address as the controller sees it
     * @param version the snapshot version it holds, null if none yet
     * @param fetchedAt when it received (or had confirmed) that version
     * @param lastSeenAt when it last asked
     * @param waiting whether a long-poll of it is parked now
     */
    public record ProxyStatus(String id, String service, String address, String version, Instant fetchedAt,
            Instant lastSeenAt, boolean waiting) {
    }
}
