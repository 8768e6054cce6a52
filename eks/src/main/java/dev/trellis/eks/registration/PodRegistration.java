package dev.trellis.eks.registration;

import dev.trellis.cloudmap.Workload;
import dev.trellis.cloudmap.WorkloadKind;
import dev.trellis.cloudmap.registrar.CloudMapRegistrar;
import dev.trellis.cloudmap.registrar.RegisteredInstance;
import dev.trellis.naming.CloudMapAttributes;
import dev.trellis.naming.WorkloadLabels;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps the Cloud Map instances of a mesh's pods equal to its Ready pods. Pods carry the labels
 * the injector set ({@code trellis.dev/mesh|service|version}); a Ready pod with an IP is
 * registered with the proxy's inbound port, version and zone; a pod that stops being Ready, starts
 * terminating or is deleted is deregistered at once. {@link #resync()} compares every pod with
 * every {@code eks-pod} instance of the mesh and repairs the difference, for missed events and
 * restarts; registration is idempotent, so a restarted controller converges without duplicates.
 */
public final class PodRegistration implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PodRegistration.class.getName());
    private static final String ZONE_LABEL = "topology.kubernetes.io/zone";

    private final KubernetesClient client;
    private final CloudMapRegistrar registrar;
    private final String mesh;
    private final Map<String, Optional<String>> zonesByNode = new ConcurrentHashMap<>();
    private volatile SharedIndexInformer<Pod> informer;

    public PodRegistration(KubernetesClient client, CloudMapRegistrar registrar, String mesh) {
        this.client = Objects.requireNonNull(client, "client");
        this.registrar = Objects.requireNonNull(registrar, "registrar");
        this.mesh = Objects.requireNonNull(mesh, "mesh");
    }

    /** Watches the mesh's pods in every namespace; the informer's own resync re-applies each pod. */
    public PodRegistration start(Duration resyncPeriod) {
        informer = client.pods().inAnyNamespace().withLabel(WorkloadLabels.MESH, mesh)
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Pod pod) {
                        safely(pod, () -> apply(pod));
                    }

                    @Override
                    public void onUpdate(Pod before, Pod after) {
                        safely(after, () -> apply(after));
                    }

                    @Override
                    public void onDelete(Pod pod, boolean finalStateUnknown) {
                        safely(pod, () -> remove(pod, "pod-deleted"));
                    }
                }, resyncPeriod.toMillis());
        return this;
    }

    /** Registers a Ready pod, deregisters one that is not (or is terminating). */
    public void apply(Pod pod) {
        Optional<String> service = label(pod, WorkloadLabels.SERVICE);
        if (service.isEmpty()) {
            return;
        }
        if (isServing(pod)) {
            registrar.register(workload(pod, service.get()));
        } else {
            remove(pod, pod.getMetadata().getDeletionTimestamp() != null ? "pod-terminating" : "pod-not-ready");
        }
    }

    /** Removes the pod's instance, whatever its state. */
    public void remove(Pod pod, String reason) {
        label(pod, WorkloadLabels.SERVICE).ifPresent(service -> registrar.deregister(mesh, service,
                Workload.instanceIdOf(WorkloadKind.EKS_POD, workloadId(pod)), reason));
    }

    /**
     * Makes Cloud Map's {@code eks-pod} instances of this mesh equal to its Ready pods; returns how
     * many instances were registered or removed.
     */
    public int resync() {
        List<Pod> pods = client.pods().inAnyNamespace().withLabel(WorkloadLabels.MESH, mesh).list().getItems();
        Map<String, Set<String>> wantedByService = new HashMap<>();
        int changes = 0;
        for (Pod pod : pods) {
            Optional<String> service = label(pod, WorkloadLabels.SERVICE);
            if (service.isPresent() && isServing(pod)) {
                Workload workload = workload(pod, service.get());
                wantedByService.computeIfAbsent(service.get(), s -> new HashSet<>()).add(workload.instanceId());
                if (registrar.register(workload) != dev.trellis.cloudmap.registrar.Registration.UNCHANGED) {
                    changes++;
                }
            }
        }
        Set<String> services = new HashSet<>(registrar.services(mesh));
        services.addAll(wantedByService.keySet());
        for (String service : services) {
            Set<String> wanted = wantedByService.getOrDefault(service, Set.of());
            for (RegisteredInstance instance : registrar.instances(mesh, service)) {
                boolean ours = instance.workloadKind().equals(Optional.of(WorkloadKind.EKS_POD.attributeValue()))
                        && instance.attribute(CloudMapAttributes.MESH).equals(Optional.of(mesh));
                if (ours && !wanted.contains(instance.instanceId())) {
                    changes += registrar.removeAllCopies(mesh, service, instance.instanceId(), instance.copies(),
                            "pod-gone");
                } else if (ours && instance.copies() > 1) {
                    registrar.removeAllCopies(mesh, service, instance.instanceId(), instance.copies() - 1,
                            "duplicate-records");
                    changes++;
                }
            }
        }
        return changes;
    }

    /** Ready, not terminating, with an IP. */
    static boolean isServing(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null || pod.getStatus() == null
                || pod.getStatus().getPodIP() == null || pod.getStatus().getPodIP().isBlank()) {
            return false;
        }
        List<PodCondition> conditions = pod.getStatus().getConditions();
        return conditions != null && conditions.stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    private Workload workload(Pod pod, String service) {
        Workload.Builder builder = Workload.builder()
                .mesh(mesh).service(service)
                .version(label(pod, WorkloadLabels.VERSION).orElse(WorkloadLabels.DEFAULT_VERSION))
                .address(pod.getStatus().getPodIP())
                .eksPod(pod.getMetadata().getNamespace(), pod.getMetadata().getName())
                .healthy(true);
        zoneOf(pod.getSpec() == null ? null : pod.getSpec().getNodeName()).ifPresent(builder::zone);
        return builder.build();
    }

    private Optional<String> zoneOf(String nodeName) {
        if (nodeName == null) {
            return Optional.empty();
        }
        return zonesByNode.computeIfAbsent(nodeName, name -> {
            Node node = client.nodes().withName(name).get();
            return node == null || node.getMetadata().getLabels() == null ? Optional.empty()
                    : Optional.ofNullable(node.getMetadata().getLabels().get(ZONE_LABEL));
        });
    }

    private static String workloadId(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    private static Optional<String> label(Pod pod, String key) {
        Map<String, String> labels = pod.getMetadata().getLabels();
        return Optional.ofNullable(labels == null ? null : labels.get(key));
    }

    private static void safely(Pod pod, Runnable action) {
        try {
            action.run();
        } catch (RuntimeException e) {
            // The next informer resync (or resync()) retries; an AWS hiccup must not stop the watch.
            LOG.log(System.Logger.Level.WARNING, "pod=" + workloadId(pod) + " registration failed, retried on resync", e);
        }
    }

    @Override
    public void close() {
        if (informer != null) {
            informer.close();
        }
    }
}
