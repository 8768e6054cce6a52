package dev.trellis.eks;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.Map;

/** Pods as tests need them: an app container on a port, with the annotations given. */
public final class Pods {

    private Pods() {
    }

    public static Pod withAnnotations(Map<String, String> annotations) {
        return new PodBuilder()
                .withNewMetadata().withName("orders-1").withNamespace("shop")
                    .withLabels(Map.of("app", "orders")).withAnnotations(annotations).endMetadata()
                .withNewSpec()
                    .addNewContainer().withName("orders").withImage("orders:1")
                        .addNewPort().withContainerPort(8081).endPort().endContainer()
                .endSpec()
                .build();
    }
}
