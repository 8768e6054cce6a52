package dev.trellis.spec;

/**
 * A version of the route's service and the share of traffic it gets.
 *
 * @param version a version listed in the service's {@code versions}
 * @param weight relative weight, 0..100 (only the ratio between targets counts)
 */
public record WeightedTarget(String version, int weight) {
    public static WeightedTarget of(String version, int weight) {
        return new WeightedTarget(version, weight);
    }
}
