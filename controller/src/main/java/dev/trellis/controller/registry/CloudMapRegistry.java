package dev.trellis.controller.registry;

import dev.trellis.snapshot.Endpoint;
import dev.trellis.snapshot.client.cloudmap.CloudMapDirectory;
import dev.trellis.snapshot.client.cloudmap.DiscoveredInstance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry against AWS: the instances {@code cloudmap-sync} (and the Lambda hooks) registered
 * in Cloud Map, read with {@code DiscoverInstances} for every service of the mesh, every
 * {@code interval}. Cloud Map has no change feed, so this polls; a service that cannot be read
 * keeps its last known instances.
 */
public final class CloudMapRegistry implements Registry {

    private static final Logger LOG = LoggerFactory.getLogger(CloudMapRegistry.class);

    private final CloudMapDirectory directory;
    private final String namespace;
    private final InstanceTable table = new InstanceTable("cloudmap");
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cloudmap-registry");
        t.setDaemon(true);
        return t;
    });
    private volatile Set<String> tracked = Set.of();

    /**
     * @param directory how Cloud Map is read
     * @param namespace the namespace's name, e.g. {@code shop.local}
     * @param interval how often every tracked service is read
     */
    public CloudMapRegistry(CloudMapDirectory directory, String namespace, Duration interval) {
        this.directory = Objects.requireNonNull(directory, "directory");
        this.namespace = Objects.requireNonNull(namespace, "namespace");
        scheduler.scheduleWithFixedDelay(this::refresh, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The name of a Cloud Map namespace, which {@code DiscoverInstances} needs, from its id. */
    public static String namespaceName(software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient cloudMap,
            String namespaceId) {
        return cloudMap.getNamespace(r -> r.id(namespaceId)).namespace().name();
    }

    @Override
    public String kind() {
        return "cloudmap";
    }

    public String namespace() {
        return namespace;
    }

    /** Starts reading these services, at once for the new ones. */
    @Override
    public void track(Set<String> services) {
        Set<String> before = tracked;
        tracked = Set.copyOf(services);
        for (String gone : before) {
            if (!tracked.contains(gone)) {
                scheduler.execute(() -> table.replace(gone, List.of()));
            }
        }
        scheduler.execute(this::refresh);
    }

    /** Reads every tracked service now; for tests and the first read. */
    public void refresh() {
        for (String service : tracked) {
            List<DiscoveredInstance> found;
            try {
                found = directory.discover(namespace, service);
            } catch (RuntimeException e) {
                LOG.warn("event=cloudmap.read.failed namespace={} service={} error=\"{}\"", namespace, service,
                        e.getMessage());
                continue;
            }
            List<RegisteredInstance> instances = new ArrayList<>(found.size());
            for (DiscoveredInstance d : found) {
                try {
                    instances.add(new RegisteredInstance(service, d.id(), d.address(), d.port(), d.version(),
                            d.zone(), d.healthy(), d.workload()));
                } catch (IllegalArgumentException e) {
                    LOG.warn("event=cloudmap.instance.ignored service={} id={} problems=\"{}\"", service, d.id(),
                            e.getMessage());
                }
            }
            table.replace(service, instances);
        }
    }

    @Override
    public List<Endpoint> endpoints(String service, String version) {
        return table.endpoints(service, version);
    }

    @Override
    public List<RegisteredInstance> instances(String service) {
        return table.instances(service);
    }

    @Override
    public void subscribe(RegistryListener listener) {
        table.subscribe(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
