package dev.trellis.proxy.routing;

import java.util.List;

/**
 * Deterministic weighted picking, nginx's smooth weighted round robin: over any window of
 * {@code sum(weights)} picks each target gets exactly its weight, interleaved rather than in
 * bursts. So a 90/10 split is 90/10 at every multiple of 100 requests, not just on average.
 *
 * @param <T> what is picked
 */
public final class SmoothWeightedPicker<T> {

    private final Object[] targets;
    private final int[] weights;
    private final int total;
    private final int[] current;

    public SmoothWeightedPicker(List<T> targets, List<Integer> weights) {
        if (targets.size() != weights.size() || targets.isEmpty()) {
            throw new IllegalArgumentException("targets: " + targets.size() + " with " + weights.size()
                    + " weights (expected: as many weights as targets, at least one)");
        }
        this.targets = targets.toArray();
        this.weights = weights.stream().mapToInt(Integer::intValue).toArray();
        int sum = 0;
        for (int w : this.weights) {
            if (w < 0) {
                throw new IllegalArgumentException("weight: " + w + " (expected: >= 0)");
            }
            sum += w;
        }
        if (sum <= 0) {
            throw new IllegalArgumentException("weights: sum " + sum + " (expected: > 0)");
        }
        this.total = sum;
        this.current = new int[this.targets.length];
    }

    @SuppressWarnings("unchecked")
    public T pick() {
        if (targets.length == 1) {
            return (T) targets[0];
        }
        return (T) targets[pickIndex()];
    }

    /** The index of the next pick. */
    public synchronized int pickIndex() {
        int best = 0;
        for (int i = 0; i < current.length; i++) {
            current[i] += weights[i];
            if (current[i] > current[best]) {
                best = i;
            }
        }
        current[best] -= total;
        return best;
    }
}
