package dev.trellis.spec;

import java.time.Duration;

/**
 * Passive health checking: a host that fails {@code consecutiveFailures} times in a row (5xx or
 * connect failure) is ejected for {@code baseEjectionTime} times the number of its ejections.
 *
 * @param consecutiveFailures failures in a row that eject a host
 * @param interval how often ejections are reconsidered
 * @param baseEjectionTime the first ejection's length; it grows with every further ejection
 * @param maxEjectionPercent the largest share of a cluster's hosts ejected at once (at least one host may be)
 */
public record OutlierDetection(
        Integer consecutiveFailures, Duration interval, Duration baseEjectionTime, Integer maxEjectionPercent) {

    public static final OutlierDetection DEFAULT = new OutlierDetection(null, null, null, null);

    public OutlierDetection {
        consecutiveFailures = consecutiveFailures != null ? consecutiveFailures : 5;
        interval = interval != null ? interval : Duration.ofSeconds(10);
        baseEjectionTime = baseEjectionTime != null ? baseEjectionTime : Duration.ofSeconds(30);
        maxEjectionPercent = maxEjectionPercent != null ? maxEjectionPercent : 50;
    }
}
