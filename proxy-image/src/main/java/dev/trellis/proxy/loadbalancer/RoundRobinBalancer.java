package dev.trellis.proxy.loadbalancer;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/** Each host in turn, skipping unavailable and excluded ones. */
final class RoundRobinBalancer implements LoadBalancer {

    private final AtomicInteger next = new AtomicInteger();

    @Override
    public <H extends BalancedHost> H pick(List<H> hosts, Predicate<? super H> exclude) {
        int n = hosts.size();
        if (n == 0) {
            return null;
        }
        int start = next.getAndIncrement() & Integer.MAX_VALUE;
        long now = System.nanoTime();
        H fallback = null;
        for (int i = 0; i < n; i++) {
            H host = hosts.get((start + i) % n);
            boolean excluded = exclude != null && exclude.test(host);
            if (!excluded && host.available(now)) {
                return host;
            }
            if (fallback == null && !excluded) {
                fallback = host;
            }
        }
        return fallback != null ? fallback : hosts.get(start % n);
    }
}
