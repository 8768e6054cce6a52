package dev.trellis.proxy.outlier;

import dev.trellis.spec.OutlierDetection;
import java.util.List;
import java.util.function.Function;

/**
 * Decides ejections in one cluster: a host with {@code consecutiveFailures} 5xx responses or
 * connect failures in a row is ejected for a time that grows with each ejection, unless that
 * would put more than {@code maxEjectionPercent} of the cluster's hosts out (one host may
 * always be). An ejected host comes back by itself when its time is up.
 */
public final class OutlierDetector {

    /** Called with each new ejection, for metrics and logs. */
    @FunctionalInterface
    public interface EjectionListener {
        void ejected(HostHealth host, long forNanos);
    }

    private final OutlierDetection config;
    private final EjectionListener listener;

    public OutlierDetector(OutlierDetection config, EjectionListener listener) {
        this.config = config;
        this.listener = listener;
    }

    public OutlierDetection config() {
        return config;
    }

    public void onSuccess(HostHealth host) {
        host.recordSuccess();
    }

    /**
     * Records a failure of {@code host}; ejects it when it reached the threshold and the cluster's
     * ejection limit allows.
     *
     * @return whether the host was ejected now
     */
    public <H> boolean onFailure(HostHealth host, List<H> clusterHosts, Function<H, HostHealth> health) {
        int failures = host.recordFailure();
        if (failures < config.consecutiveFailures()) {
            return false;
        }
        long now = System.nanoTime();
        synchronized (this) {
            if (host.ejected(now)) {
                return false;
            }
            int ejected = 0;
            for (H h : clusterHosts) {
                if (health.apply(h).ejected(now)) {
                    ejected++;
                }
            }
            int allowed = Math.max(1, clusterHosts.size() * config.maxEjectionPercent() / 100);
            if (ejected >= allowed) {
                return false;
            }
            long length = host.eject(now, config.baseEjectionTime().toNanos(), config.interval().toNanos());
            listener.ejected(host, length);
            return true;
        }
    }
}
