package dev.trellis.controller.e2e;

import dev.trellis.snapshot.ProxySnapshot;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** What a proxy was given by its snapshot source, in order; with a bounded wait for a condition. */
final class Snapshots2Proxy {

    final List<ProxySnapshot> applied = new CopyOnWriteArrayList<>();

    void accept(ProxySnapshot snapshot) {
        applied.add(snapshot);
    }

    ProxySnapshot last() {
        return applied.isEmpty() ? null : applied.get(applied.size() - 1);
    }

    ProxySnapshot await(Predicate<ProxySnapshot> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            ProxySnapshot last = last();
            if (last != null && condition.test(last)) {
                return last;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no applied snapshot met the condition within " + timeout + "; applied: "
                + applied.stream().map(ProxySnapshot::version).toList());
    }
}
