package dev.trellis.controller.registry;

import dev.trellis.snapshot.Endpoint;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The instances of every service, each service as one immutable value replaced whole, so that
 * readers never lock and never see half a change. Logs one line per registration change and
 * tells listeners. Shared by the registries.
 */
final class InstanceTable {

    private static final Logger LOG = LoggerFactory.getLogger("dev.trellis.controller.registry");
    private static final Comparator<Endpoint> ENDPOINT_ORDER =
            Comparator.comparing(Endpoint::address).thenComparingInt(Endpoint::port);

    private final String kind;
    private final Map<String, ServiceInstances> services = new ConcurrentHashMap<>();
    private final List<RegistryListener> listeners = new CopyOnWriteArrayList<>();

    InstanceTable(String kind) {
        this.kind = kind;
    }

    void subscribe(RegistryListener listener) {
        listeners.add(listener);
    }

    List<Endpoint> endpoints(String service, String version) {
        ServiceInstances instances = services.get(service);
        return instances == null ? List.of() : instances.byVersion.getOrDefault(version, List.of());
    }

    List<RegisteredInstance> instances(String service) {
        ServiceInstances instances = services.get(service);
        return instances == null ? List.of() : List.copyOf(instances.byId.values());
    }

    /** Adds or replaces one instance; false when it was there already, unchanged. */
    boolean put(RegisteredInstance instance) {
        RegisteredInstance[] previous = new RegisteredInstance[1];
        boolean[] changed = new boolean[1];
        services.compute(instance.service(), (name, current) -> {
            Map<String, RegisteredInstance> byId = current == null ? new TreeMap<>() : new TreeMap<>(current.byId);
            previous[0] = byId.put(instance.id(), instance);
            changed[0] = !instance.equals(previous[0]);
            return changed[0] ? new ServiceInstances(byId) : current;
        });
        if (changed[0]) {
            log(previous[0] == null ? "instance.registered" : "instance.updated", instance);
            notifyListeners(instance.service());
        }
        return changed[0];
    }

    /** Removes one instance; false when there was none with that id. */
    boolean remove(String service, String id) {
        RegisteredInstance[] removed = new RegisteredInstance[1];
        services.computeIfPresent(service, (name, current) -> {
            Map<String, RegisteredInstance> byId = new TreeMap<>(current.byId);
            removed[0] = byId.remove(id);
            if (removed[0] == null) {
                return current;
            }
            return byId.isEmpty() ? null : new ServiceInstances(byId);
        });
        if (removed[0] != null) {
            log("instance.deregistered", removed[0]);
            notifyListeners(service);
        }
        return removed[0] != null;
    }

    /** Makes the service's instances exactly these, logging each difference; false when nothing changed. */
    boolean replace(String service, List<RegisteredInstance> instances) {
        Map<String, RegisteredInstance> byId = new TreeMap<>();
        instances.forEach(i -> byId.put(i.id(), i));
        ServiceInstances before = services.get(service);
        Map<String, RegisteredInstance> old = before == null ? Map.of() : before.byId;
        if (old.equals(byId)) {
            return false;
        }
        if (byId.isEmpty()) {
            services.remove(service);
        } else {
            services.put(service, new ServiceInstances(byId));
        }
        for (RegisteredInstance instance : byId.values()) {
            RegisteredInstance was = old.get(instance.id());
            if (was == null) {
                log("instance.registered", instance);
            } else if (!was.equals(instance)) {
                log("instance.updated", instance);
            }
        }
        for (RegisteredInstance was : old.values()) {
            if (!byId.containsKey(was.id())) {
                log("instance.deregistered", was);
            }
        }
        notifyListeners(service);
        return true;
    }

    private void notifyListeners(String service) {
        for (RegistryListener listener : listeners) {
            try {
                listener.changed(service);
            } catch (RuntimeException e) {
                LOG.error("event=registry.listener.failed service={}", service, e);
            }
        }
    }

    private void log(String event, RegisteredInstance i) {
        LOG.info("event={} registry={} service={} id={} address={} port={} version={} zone={} healthy={}",
                event, kind, i.service(), i.id(), i.address(), i.port(), i.version(), i.zone(), i.healthy());
    }

    /** One service's instances, by id and by version (endpoints in snapshot order). */
    private static final class ServiceInstances {
        final Map<String, RegisteredInstance> byId;
        final Map<String, List<Endpoint>> byVersion;

        ServiceInstances(Map<String, RegisteredInstance> byId) {
            this.byId = java.util.Collections.unmodifiableMap(byId);
            Map<String, List<Endpoint>> grouped = new HashMap<>();
            for (RegisteredInstance instance : byId.values()) {
                grouped.computeIfAbsent(instance.version(), v -> new ArrayList<>()).add(instance.toEndpoint());
            }
            grouped.replaceAll((version, endpoints) -> {
                endpoints.sort(ENDPOINT_ORDER);
                return List.copyOf(endpoints);
            });
            this.byVersion = Map.copyOf(grouped);
        }
    }
}
