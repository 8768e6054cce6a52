package dev.trellis.cloudmap.registrar;

import dev.trellis.cloudmap.Workload;
import dev.trellis.cloudmap.internal.KeyValueLine;
import dev.trellis.naming.CloudMapNames;
import dev.trellis.spec.MeshSpec;
import dev.trellis.spec.ServiceSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;
import software.amazon.awssdk.services.servicediscovery.model.NamespaceNotFoundException;
import software.amazon.awssdk.services.servicediscovery.model.ServiceNotFoundException;

/**
 * Idempotent Cloud Map writes for mesh workloads: every call can be repeated, by this process or
 * by another controller or a Lambda, without duplicating or losing an instance.
 *
 * <ul>
 *   <li>{@link #ensureService} finds the mesh service's Cloud Map service by name in the mesh's
 *       namespace, or creates it with a custom health check config; concurrent creators end up
 *       with the same service (Cloud Map refuses a second one with the name; if an emulator made
 *       two anyway, everyone picks the oldest).</li>
 *   <li>{@link #register} reads the instance first and writes nothing when its attributes are
 *       already right; the instance id comes from the workload id alone
 *       ({@link Workload#instanceId()}).</li>
 *   <li>{@link #deregister} of an absent instance succeeds.</li>
 * </ul>
 *
 * <pre>{@code
 * CloudMapRegistrar registrar = CloudMapRegistrar.builder()
 *         .client(aws.serviceDiscovery())          // or .api(CloudMapApi) to wrap the calls
 *         .build();
 * registrar.register(workload);                   // CREATED, UPDATED or UNCHANGED
 * registrar.setHealth("shop", "orders", workload.instanceId(), false);
 * registrar.deregister("shop", "orders", workload.instanceId());
 * }</pre>
 *
 * <p>AWS errors (throttling included) propagate as the SDK's exceptions after the SDK's own
 * retries; nothing is cached from a failed call, so the caller simply calls again later. Every
 * change is logged on one {@code key=value} line through SLF4J (logger
 * {@code dev.trellis.cloudmap.registrar}). Thread-safe.
 */
public final class CloudMapRegistrar {

    private static final Logger LOG = LoggerFactory.getLogger("dev.trellis.cloudmap.registrar");

    private final CloudMapApi api;
    private final Function<String, String> namespaceNaming;

    /** Namespace id by mesh; only successful lookups are kept. */
    private final Map<String, String> namespaceIds = new ConcurrentHashMap<>();
    /** Service id by "mesh/service"; only successful lookups are kept. */
    private final Map<String, String> serviceIds = new ConcurrentHashMap<>();
    /** One lock per "mesh/service", so this process never creates a service twice. */
    private final Map<String, Object> serviceLocks = new ConcurrentHashMap<>();

    private CloudMapRegistrar(Builder builder) {
        this.api = builder.api;
        this.namespaceNaming = builder.namespaceNaming;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A registrar over the SDK client, with the default namespace names ({@link CloudMapNames#namespace}). */
    public static CloudMapRegistrar of(ServiceDiscoveryClient client) {
        return builder().client(client).build();
    }

    /** The Cloud Map namespace name of a mesh, such as {@code shop.local}. */
    public String namespaceName(String mesh) {
        return namespaceNaming.apply(mesh);
    }

    /**
     * The Cloud Map service id of a mesh service, created (with a custom health check config) if
     * missing.
     *
     * @throws IllegalStateException if the mesh's namespace does not exist
     */
    public String ensureService(String mesh, String service) {
        String key = mesh + "/" + service;
        String cached = serviceIds.get(key);
        if (cached != null) {
            return cached;
        }
        synchronized (serviceLocks.computeIfAbsent(key, k -> new Object())) {
            cached = serviceIds.get(key);
            if (cached != null) {
                return cached;
            }
            String namespaceId = namespaceId(mesh);
            Optional<CloudMapService> existing = forgettingMissingNamespace(mesh,
                    () -> canonical(api.listServices(namespaceId), namespaceId, service));
            String serviceId;
            if (existing.isPresent()) {
                serviceId = existing.get().id();
                if (!existing.get().customHealthCheck()) {
                    LOG.warn(KeyValueLine.of("action", "service.check", "result", "no-custom-health-check",
                            "mesh", mesh, "service", service, "serviceId", serviceId,
                            "note", "health cannot be set; recreate the service with HealthCheckCustomConfig"));
                }
            } else {
                String created = forgettingMissingNamespace(mesh, () -> api.createService(namespaceId, service,
                        "Trellis mesh " + mesh + ", service " + service + " (instances managed by cloudmap-sync)"));
                // A concurrent creator elsewhere may have won a race an emulator did not refuse:
                // read again and take the same canonical service everyone else takes.
                serviceId = canonical(api.listServices(namespaceId), namespaceId, service)
                        .map(CloudMapService::id).orElse(created);
                LOG.info(KeyValueLine.of("action", "service.create", "result", "created", "mesh", mesh,
                        "service", service, "namespaceId", namespaceId, "serviceId", serviceId));
            }
            serviceIds.put(key, serviceId);
            return serviceId;
        }
    }

    /**
     * Ensures every service of the mesh spec has its Cloud Map service (so that discovering a
     * service with no instance yet finds an empty service, not an error); returns the service ids
     * by name.
     */
    public Map<String, String> ensureServices(MeshSpec spec) {
        Objects.requireNonNull(spec, "spec");
        Map<String, String> ids = new LinkedHashMap<>();
        for (ServiceSpec service : spec.services()) {
            ids.put(service.name(), ensureService(spec.mesh(), service.name()));
        }
        return ids;
    }

    /**
     * The names of the Cloud Map services in the mesh's namespace: every mesh service that may
     * hold instances.
     */
    public List<String> services(String mesh) {
        String namespaceId = namespaceId(mesh);
        List<CloudMapService> services = forgettingMissingNamespace(mesh, () -> api.listServices(namespaceId));
        List<String> names = services.stream()
                .filter(s -> s.namespaceId() == null || s.namespaceId().equals(namespaceId))
                .map(CloudMapService::name).distinct().sorted().toList();
        // Remember each name's service, so reading its instances next costs no second listing.
        for (String name : names) {
            canonical(services, namespaceId, name).ifPresent(s -> serviceIds.putIfAbsent(mesh + "/" + name, s.id()));
        }
        return names;
    }

    /**
     * Registers the workload unless Cloud Map already holds its instance with exactly these
     * attributes (then no write is made). When the attributes differ the instance is registered
     * again, which Cloud Map applies in place; should a second record of the id appear (emulators
     * append instead), every record is removed and the instance registered once. An instance of an
     * unhealthy workload is marked UNHEALTHY after registering.
     */
    public Registration register(Workload workload) {
        Objects.requireNonNull(workload, "workload");
        return withService(workload.mesh(), workload.service(), serviceId -> {
            String instanceId = workload.instanceId();
            Map<String, String> wanted = workload.attributes();
            Optional<CloudMapInstance> current = api.getInstance(serviceId, instanceId);
            if (current.isPresent() && current.get().attributes().equals(wanted)) {
                return Registration.UNCHANGED;
            }
            Registration result = current.isPresent() ? Registration.UPDATED : Registration.CREATED;
            api.registerInstance(serviceId, instanceId, wanted);
            if (current.isPresent()) {
                // Cloud Map replaces in place, so the instance is never absent. Emulators append a
                // second record instead: if one shows up, remove every record and register once.
                long records = api.listInstances(serviceId).stream().filter(i -> i.id().equals(instanceId)).count();
                if (records > 1) {
                    for (long i = 0; i < records; i++) {
                        api.deregisterInstance(serviceId, instanceId);
                    }
                    api.registerInstance(serviceId, instanceId, wanted);
                }
            }
            if (!workload.healthy()) {
                api.setCustomHealthStatus(serviceId, instanceId, false);
            }
            LOG.info(KeyValueLine.of("action", "register", "result", result.name().toLowerCase(java.util.Locale.ROOT),
                    "mesh", workload.mesh(), "service", workload.service(), "instance", instanceId,
                    "ip", workload.address(), "port", workload.port(), "version", workload.version(),
                    "zone", workload.zone().orElse(null), "kind", workload.kind().attributeValue(),
                    "workload", workload.workloadId(), "healthy", workload.healthy(),
                    "previous", current.map(c -> c.attributes().toString()).orElse(null)));
            return result;
        });
    }

    /**
     * Removes an instance; returns whether there was one. Removing an absent instance (another
     * controller was first) is a success.
     */
    public boolean deregister(String mesh, String service, String instanceId) {
        return deregister(mesh, service, instanceId, "requested");
    }

    /**
     * Like {@link #deregister(String, String, String)}, with the reason written to the log line
     * (such as {@code task-stopping} or {@code not-running}).
     */
    public boolean deregister(String mesh, String service, String instanceId, String reason) {
        return withService(mesh, service, serviceId -> {
            boolean removed = api.deregisterInstance(serviceId, instanceId).isPresent();
            LOG.info(KeyValueLine.of("action", "deregister", "result", removed ? "removed" : "absent",
                    "mesh", mesh, "service", service, "instance", instanceId, "reason", reason));
            return removed;
        });
    }

    /** Sets an instance's custom health status (HEALTHY or UNHEALTHY). */
    public void setHealth(String mesh, String service, String instanceId, boolean healthy) {
        withService(mesh, service, serviceId -> {
            api.setCustomHealthStatus(serviceId, instanceId, healthy);
            LOG.info(KeyValueLine.of("action", "health", "result", healthy ? "healthy" : "unhealthy",
                    "mesh", mesh, "service", service, "instance", instanceId));
            return null;
        });
    }

    /** The attributes of one instance, when it is registered. GetInstance. */
    public Optional<Map<String, String>> registeredAttributes(String mesh, String service, String instanceId) {
        return withService(mesh, service, serviceId -> api.getInstance(serviceId, instanceId).map(CloudMapInstance::attributes));
    }

    /**
     * The instances of one mesh service with their health, one entry per instance id (duplicate
     * records of one id are counted in {@link RegisteredInstance#copies()}). An absent Cloud Map
     * service has no instances; nothing is created.
     */
    public List<RegisteredInstance> instances(String mesh, String service) {
        String namespaceId = namespaceId(mesh);
        Optional<String> serviceId = Optional.ofNullable(serviceIds.get(mesh + "/" + service))
                .or(() -> canonical(api.listServices(namespaceId), namespaceId, service).map(CloudMapService::id));
        if (serviceId.isEmpty()) {
            return List.of();
        }
        try {
            return instancesOf(service, serviceId.get());
        } catch (ServiceNotFoundException e) {
            serviceIds.remove(mesh + "/" + service);
            return List.of();
        }
    }

    /** Deletes the records of one instance id until none is left (repairs emulator duplicates). */
    public int removeAllCopies(String mesh, String service, String instanceId, int copies) {
        return removeAllCopies(mesh, service, instanceId, copies, "duplicate-records");
    }

    /**
     * Removes an instance that {@link #instances} listed with {@code copies} records (1 normally),
     * with the reason written to the log line; returns how many records were removed.
     */
    public int removeAllCopies(String mesh, String service, String instanceId, int copies, String reason) {
        return withService(mesh, service, serviceId -> {
            int removed = 0;
            for (int i = 0; i < Math.max(1, copies) && api.deregisterInstance(serviceId, instanceId).isPresent(); i++) {
                removed++;
            }
            LOG.info(KeyValueLine.of("action", "deregister", "result", removed > 0 ? "removed" : "absent",
                    "mesh", mesh, "service", service,
                    "instance", instanceId, "copies", removed, "reason", reason));
            return removed;
        });
    }

    @Override
    public String toString() {
        return "CloudMapRegistrar{api=" + api + "}";
    }

    private List<RegisteredInstance> instancesOf(String service, String serviceId) {
        Map<String, List<CloudMapInstance>> byId = new LinkedHashMap<>();
        for (CloudMapInstance instance : api.listInstances(serviceId)) {
            byId.computeIfAbsent(instance.id(), id -> new ArrayList<>()).add(instance);
        }
        if (byId.isEmpty()) {
            return List.of();
        }
        Map<String, String> health = api.healthStatuses(serviceId);
        List<RegisteredInstance> instances = new ArrayList<>();
        byId.forEach((id, records) -> instances.add(new RegisteredInstance(service, id,
                records.get(0).attributes(), records.size(), Optional.ofNullable(health.get(id)))));
        return instances;
    }

    /** Runs a call with the service id; a cached id whose service was deleted is looked up once more. */
    private <T> T withService(String mesh, String service, Function<String, T> call) {
        String serviceId = ensureService(mesh, service);
        try {
            return call.apply(serviceId);
        } catch (ServiceNotFoundException e) {
            serviceIds.remove(mesh + "/" + service, serviceId);
            return call.apply(ensureService(mesh, service));
        }
    }

    /** Forgets a mesh's namespace id after Cloud Map said it no longer exists (recreated by a new deploy). */
    private <T> T forgettingMissingNamespace(String mesh, java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (NamespaceNotFoundException e) {
            namespaceIds.remove(mesh);
            throw e;
        }
    }

    private String namespaceId(String mesh) {
        String cached = namespaceIds.get(mesh);
        if (cached != null) {
            return cached;
        }
        String name = namespaceName(mesh);
        String id = api.findNamespaceId(name).orElseThrow(() -> new IllegalStateException("namespace: \"" + name
                + "\" not found (expected: an existing Cloud Map namespace for mesh \"" + mesh
                + "\", as the Trellis CDK constructs create)"));
        namespaceIds.put(mesh, id);
        return id;
    }

    /** The service everyone picks among same-named ones: the oldest, then the smallest id. */
    private static Optional<CloudMapService> canonical(List<CloudMapService> services, String namespaceId, String name) {
        return services.stream()
                .filter(s -> s.name().equals(name))
                .filter(s -> s.namespaceId() == null || s.namespaceId().equals(namespaceId))
                .min(Comparator.comparing((CloudMapService s) -> s.createdAt().orElse(java.time.Instant.MAX))
                        .thenComparing(CloudMapService::id));
    }

    /** Builds a {@link CloudMapRegistrar}; either {@link #client} or {@link #api} is required. */
    public static final class Builder {
        private CloudMapApi api;
        private Function<String, String> namespaceNaming = CloudMapNames::namespace;

        private Builder() {
        }

        /** Uses the SDK client (not closed by the registrar). */
        public Builder client(ServiceDiscoveryClient client) {
            this.api = CloudMapApi.of(Objects.requireNonNull(client, "client"));
            return this;
        }

        /** Uses these calls, such as the SDK's wrapped by a decorator. */
        public Builder api(CloudMapApi api) {
            this.api = api;
            return this;
        }

        /** How a mesh's namespace is named; {@link CloudMapNames#namespace} ({@code <mesh>.local}) by default. */
        public Builder namespaceNaming(Function<String, String> namespaceNaming) {
            this.namespaceNaming = Objects.requireNonNull(namespaceNaming, "namespaceNaming");
            return this;
        }

        public CloudMapRegistrar build() {
            if (api == null) {
                throw new IllegalArgumentException("api: null (expected: .client(ServiceDiscoveryClient) or .api(CloudMapApi))");
            }
            return new CloudMapRegistrar(this);
        }
    }
}
