package dev.trellis.cli.up;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.trellis.spec.MeshSpec;
import dev.trellis.spec.ServiceSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code trellis up} runs beside a spec: instances per service version, how each behaves,
 * and the traffic sent in. Read from {@code local.yaml} next to the spec, or derived from the
 * spec alone (one plain instance per version, traffic to the first service).
 *
 * @param traffic what the generator sends
 * @param instances the example service instances, each with its own proxy
 */
public record LocalTopology(Traffic traffic, List<Instance> instances) {

    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    public LocalTopology {
        instances = List.copyOf(instances);
    }

    /**
     * @param entry the service the generator calls, through its inbound proxy
     * @param path the path requested
     * @param ratePerSecond constant request rate
     * @param probes side streams from one service to another, for authorization
     */
    public record Traffic(String entry, String path, Integer ratePerSecond, List<Probe> probes) {
        public Traffic {
            path = path != null ? path : "/";
            ratePerSecond = ratePerSecond != null ? ratePerSecond : 50;
            probes = probes != null ? List.copyOf(probes) : List.of();
        }
    }

    /** A request one service makes to another at a fixed rate, whatever the main traffic does. */
    public record Probe(String from, String to, String method, String path, Integer ratePerSecond) {
        public Probe {
            method = method != null ? method : "GET";
            path = path != null ? path : "/";
            ratePerSecond = ratePerSecond != null ? ratePerSecond : 1;
        }
    }

    /**
     * @param service the mesh service
     * @param version its version
     * @param count how many such instances
     * @param latency added to every response, e.g. {@code 5ms}
     * @param failureRate share of requests answered with {@code failureStatus}, 0..1
     * @param failureStatus the failing status
     * @param calls requests made (in order) to other services before answering
     */
    public record Instance(String service, String version, Integer count, String latency,
                           Double failureRate, Integer failureStatus, List<Call> calls) {
        public Instance {
            version = version != null ? version : "v1";
            count = count != null ? count : 1;
            failureRate = failureRate != null ? failureRate : 0.0;
            failureStatus = failureStatus != null ? failureStatus : 503;
            calls = calls != null ? List.copyOf(calls) : List.of();
        }

        public Duration latencyDuration() {
            if (latency == null) {
                return Duration.ZERO;
            }
            if (latency.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(latency.substring(0, latency.length() - 2)));
            }
            if (latency.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(latency.substring(0, latency.length() - 1)));
            }
            throw new IllegalArgumentException("latency: " + latency + " (expected: a duration such as 5ms or 1s)");
        }
    }

    /** A call to another service, made through the instance's outbound proxy. */
    public record Call(String service, String method, String path) {
        public Call {
            method = method != null ? method : "GET";
            path = path != null ? path : "/";
        }
    }

    public static LocalTopology read(Path file) throws IOException {
        return YAML.readValue(Files.readString(file), LocalTopology.class);
    }

    /** The topology for a spec: {@code local.yaml} beside it, else one plain instance per version. */
    public static LocalTopology forSpec(Path specFile, MeshSpec spec) throws IOException {
        Path beside = specFile.toAbsolutePath().resolveSibling("local.yaml");
        if (Files.exists(beside)) {
            return read(beside).checkedAgainst(spec);
        }
        List<Instance> instances = new ArrayList<>();
        for (ServiceSpec service : spec.services()) {
            for (String version : service.versions()) {
                instances.add(new Instance(service.name(), version, 1, null, null, null, null));
            }
        }
        String entry = spec.services().isEmpty() ? null : spec.services().get(0).name();
        return new LocalTopology(new Traffic(entry, "/", 50, null), instances);
    }

    /** Refuses a topology naming services or versions the spec does not have. */
    public LocalTopology checkedAgainst(MeshSpec spec) {
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < instances.size(); i++) {
            Instance instance = instances.get(i);
            var service = spec.service(instance.service());
            if (service.isEmpty()) {
                problems.add("instances[" + i + "].service: " + instance.service() + " (expected: a service of the spec)");
            } else if (!service.get().versions().contains(instance.version())) {
                problems.add("instances[" + i + "].version: " + instance.version()
                        + " (expected: one of " + String.join(", ", service.get().versions()) + ")");
            }
            for (Call call : instance.calls()) {
                if (spec.service(call.service()).isEmpty()) {
                    problems.add("instances[" + i + "].calls: " + call.service() + " (expected: a service of the spec)");
                }
            }
        }
        if (traffic.entry() == null || spec.service(traffic.entry()).isEmpty()) {
            problems.add("traffic.entry: " + traffic.entry() + " (expected: a service of the spec)");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("local topology: " + String.join("; ", problems));
        }
        return this;
    }
}
