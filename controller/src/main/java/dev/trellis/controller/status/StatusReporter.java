package dev.trellis.controller.status;

import dev.trellis.controller.registry.RegisteredInstance;
import dev.trellis.controller.registry.Registry;
import dev.trellis.controller.snapshots.MeshSnapshots;
import dev.trellis.controller.snapshots.SealedSnapshot;
import dev.trellis.controller.spec.LoadedSpec;
import dev.trellis.controller.spec.SpecRejection;
import dev.trellis.spec.ServiceSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/** Builds the {@link StatusReport} from the parts of a running controller. */
public final class StatusReporter {

    private final String specSource;
    private final Supplier<Optional<SpecRejection>> rejection;
    private final MeshSnapshots snapshots;
    private final Registry registry;
    private final ProxyTracker proxies;

    public StatusReporter(String specSource, Supplier<Optional<SpecRejection>> rejection, MeshSnapshots snapshots,
            Registry registry, ProxyTracker proxies) {
        this.specSource = Objects.requireNonNull(specSource, "specSource");
        this.rejection = Objects.requireNonNull(rejection, "rejection");
        this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.proxies = Objects.requireNonNull(proxies, "proxies");
    }

    /** The report now; seals the snapshots not yet sealed, so call it off the event loop. */
    public StatusReport report() {
        Optional<LoadedSpec> loaded = snapshots.spec();
        StatusReport.Rejected rejected = rejection.get()
                .filter(r -> loaded.isEmpty() || r.at().isAfter(loaded.get().loadedAt()))
                .map(r -> new StatusReport.Rejected(r.at().toString(), r.problems()))
                .orElse(null);
        StatusReport.SpecStatus spec = new StatusReport.SpecStatus(specSource,
                loaded.map(LoadedSpec::version).orElse(null),
                loaded.map(l -> l.loadedAt().toString()).orElse(null), rejected);
        Map<String, StatusReport.ServiceStatus> services = new TreeMap<>();
        Map<String, String> currentVersions = new TreeMap<>();
        if (loaded.isPresent()) {
            for (ServiceSpec service : loaded.get().spec().services()) {
                String version = snapshots.sealNow(service.name()).map(SealedSnapshot::version).orElse(null);
                currentVersions.put(service.name(), version);
                Map<String, List<StatusReport.InstanceEntry>> versions = new TreeMap<>();
                service.versions().forEach(v -> versions.put(v, new ArrayList<>()));
                for (RegisteredInstance i : registry.instances(service.name())) {
                    versions.computeIfAbsent(i.version(), v -> new ArrayList<>()).add(new StatusReport.InstanceEntry(
                            i.id(), i.address(), i.port(), i.zone(), i.healthy(), i.workload()));
                }
                services.put(service.name(), new StatusReport.ServiceStatus(version, versions));
            }
        }
        List<StatusReport.ProxyEntry> proxyEntries = new ArrayList<>();
        for (ProxyTracker.ProxyStatus p : proxies.proxies()) {
            proxyEntries.add(new StatusReport.ProxyEntry(p.id(), p.service(), p.address(), p.version(),
                    iso(p.fetchedAt()), iso(p.lastSeenAt()), p.waiting(),
                    p.version() != null && p.version().equals(currentVersions.get(p.service()))));
        }
        return new StatusReport(loaded.map(l -> l.spec().mesh()).orElse(null), snapshots.ready(), spec,
                registry.kind(), snapshots.generation(), services, proxyEntries);
    }

    private static String iso(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
