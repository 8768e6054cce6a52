package dev.trellis.snapshot;

/**
 * One host of a cluster: where a workload's proxy listens.
 *
 * @param address IPv4 address or host name
 * @param port the workload proxy's inbound port (or the app's port where the workload has no proxy)
 * @param zone availability zone, or null
 * @param healthy the registry's view of its health
 * @param workload the ECS task, EKS pod or local process behind it, for logs
 */
public record Endpoint(String address, int port, String zone, boolean healthy, String workload) {

    public static Endpoint of(String address, int port) {
        return new Endpoint(address, port, null, true, null);
    }

    public String authority() {
        return address + ":" + port;
    }
}
