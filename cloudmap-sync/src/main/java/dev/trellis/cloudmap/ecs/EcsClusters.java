package dev.trellis.cloudmap.ecs;

import java.util.Optional;

/** Cluster names from cluster ARNs, names and task ARNs, so that any of the three can be compared. */
public final class EcsClusters {

    private EcsClusters() {
    }

    /** {@code arn:aws:ecs:us-east-1:123456789012:cluster/prod} and {@code prod} both give {@code prod}. */
    public static String name(String clusterArnOrName) {
        int slash = clusterArnOrName.lastIndexOf(":cluster/");
        return slash >= 0 ? clusterArnOrName.substring(slash + ":cluster/".length()) : clusterArnOrName;
    }

    /**
     * The cluster named in a task ARN of the long format ({@code ...:task/<cluster>/<id>}); empty for
     * the old short format ({@code ...:task/<id>}), which does not say.
     */
    public static Optional<String> ofTaskArn(String taskArn) {
        int start = taskArn.indexOf(":task/");
        if (start < 0) {
            return Optional.empty();
        }
        String rest = taskArn.substring(start + ":task/".length());
        int slash = rest.indexOf('/');
        return slash > 0 ? Optional.of(rest.substring(0, slash)) : Optional.empty();
    }
}
