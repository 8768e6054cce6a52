package dev.trellis.proxy.loadbalancer;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

/**
 * Power of two random choices: of two eligible hosts drawn at random, the cheaper wins. The
 * cost is the requests in flight, or with {@code ewma} the peak-EWMA latency times the
 * requests in flight plus one (Finagle's and Linkerd's balancer), so that a slow host gets
 * fewer requests before it has many outstanding.
 */
final class LeastRequestBalancer implements LoadBalancer {

    private final boolean ewma;

    LeastRequestBalancer(boolean ewma) {
        this.ewma = ewma;
    }

    @Override
    public <H extends BalancedHost> H pick(List<H> hosts, Predicate<? super H> exclude) {
        int n = hosts.size();
        if (n == 0) {
            return null;
        }
        if (n == 1) {
            return hosts.get(0);
        }
        long now = System.nanoTime();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        H first = null;
        H second = null;
        // A few random draws find eligible hosts quickly when most are; a scan settles the rest.
        for (int i = 0; i < 4 && second == null; i++) {
            H candidate = hosts.get(random.nextInt(n));
            if (candidate != first && eligible(candidate, exclude, now)) {
                if (first == null) {
                    first = candidate;
                } else {
                    second = candidate;
                }
            }
        }
        if (first == null) {
            int start = random.nextInt(n);
            for (int i = 0; i < n && first == null; i++) {
                H candidate = hosts.get((start + i) % n);
                if (eligible(candidate, exclude, now)) {
                    first = candidate;
                }
            }
            if (first == null) {
                // Nothing eligible: panic mode, ignore availability but still avoid tried hosts.
                for (int i = 0; i < n; i++) {
                    H candidate = hosts.get((start + i) % n);
                    if (exclude == null || !exclude.test(candidate)) {
                        return candidate;
                    }
                }
                return hosts.get(start);
            }
        }
        if (second == null) {
            return first;
        }
        return cost(second, now) < cost(first, now) ? second : first;
    }

    private static <H extends BalancedHost> boolean eligible(H host, Predicate<? super H> exclude, long now) {
        return (exclude == null || !exclude.test(host)) && host.available(now);
    }

    private double cost(BalancedHost host, long now) {
        int inflight = host.inflight();
        if (!ewma) {
            return inflight;
        }
        double latency = host.latencyEwma(now);
        // An unmeasured host looks as fast as the fastest: it gets probed, not starved.
        return latency <= 0 ? inflight : latency * (inflight + 1);
    }
}
