package dev.trellis.eks.webhook;

/** Where the webhook reports what it could not do to a pod, so that users see it with kubectl describe. */
@FunctionalInterface
public interface PodEvents {

    void warn(String namespace, String podName, String reason, String message);
}
