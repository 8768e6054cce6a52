package dev.trellis.controller.registry;

import dev.trellis.naming.WorkloadLabels;
import dev.trellis.snapshot.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One workload instance of a mesh service, as the registry knows it.
 *
 * @param service the mesh service
 * @param id unique within the service: an ECS task id, a pod name, a local process name
 * @param address IPv4 address or host name peers connect to
 * @param port the port peers connect to
 * @param version the service version it runs
 * @param zone availability zone, or null
 * @param healthy whether peers should send it traffic
 * @param workload the task, pod or process behind it, for logs, or null
 */
public record RegisteredInstance(
        String service, String id, String address, int port, String version, String zone, boolean healthy,
        String workload) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");
    /** Cloud Map's instance-id alphabet: EKS pods are registered as {@code namespace/pod}. */
    private static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}");

    public RegisteredInstance {
        version = version == null || version.isBlank() ? WorkloadLabels.DEFAULT_VERSION : version;
        List<String> problems = problems(service, id, address, port, version);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }

    /** Every problem of these values, as {@code field: value (expected: ...)}; empty when valid. */
    public static List<String> problems(String service, String id, String address, int port, String version) {
        List<String> problems = new ArrayList<>();
        if (service == null || !NAME.matcher(service).matches()) {
            problems.add("service: " + service + " (expected: a service name of letters, digits, '.', '_', ':', '-')");
        }
        if (id == null || !INSTANCE_ID.matcher(id).matches()) {
            problems.add("id: " + id + " (expected: an instance id of letters, digits, '.', '_', ':', '/', '@', '-')");
        }
        if (address == null || address.isBlank() || address.chars().anyMatch(Character::isWhitespace)) {
            problems.add("address: " + address + " (expected: an IPv4 address or host name)");
        }
        if (port < 1 || port > 65535) {
            problems.add("port: " + port + " (expected: 1..65535)");
        }
        if (version != null && !version.isBlank() && !NAME.matcher(version).matches()) {
            problems.add("version: " + version + " (expected: a version name such as v1)");
        }
        return problems;
    }

    public Endpoint toEndpoint() {
        return new Endpoint(address, port, zone, healthy, workload != null ? workload : id);
    }
}
