package dev.trellis.eks.inject;

import java.util.Objects;

/**
 * What the injector knows beyond the pod: the mesh, the images, where the controller is, and
 * whether the cluster runs native sidecars (init containers with {@code restartPolicy: Always},
 * Kubernetes 1.29 and later).
 *
 * @param mesh the mesh name
 * @param proxyImage the sidecar image
 * @param initImage the image of the iptables init container (has iptables and sh)
 * @param controllerUrl where proxies fetch snapshots and certificates
 * @param nativeSidecars inject as a native sidecar rather than a regular container
 */
public record InjectorConfig(String mesh, String proxyImage, String initImage, String controllerUrl,
                             boolean nativeSidecars) {

    public InjectorConfig {
        Objects.requireNonNull(mesh, "mesh");
        Objects.requireNonNull(proxyImage, "proxyImage");
        Objects.requireNonNull(controllerUrl, "controllerUrl");
        initImage = initImage != null ? initImage : proxyImage;
    }
}
