package dev.trellis.ca.tls;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Counts of refused peer certificates by reason, for a Micrometer {@code FunctionCounter} per reason. */
public final class PeerRejections {
    private final Map<PeerRejection, LongAdder> counts = new EnumMap<>(PeerRejection.class);

    public PeerRejections() {
        for (PeerRejection reason : PeerRejection.values()) {
            counts.put(reason, new LongAdder());
        }
    }

    /** Refusals for {@code reason} so far. */
    public long count(PeerRejection reason) {
        return counts.get(reason).sum();
    }

    /** Refusals of every reason so far. */
    public long total() {
        return counts.values().stream().mapToLong(LongAdder::sum).sum();
    }

    void record(PeerRejection reason) {
        counts.get(reason).increment();
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("PeerRejections{");
        counts.forEach((reason, count) -> out.append(reason).append('=').append(count.sum()).append(' '));
        return out.append('}').toString();
    }
}
