package dev.trellis.controller.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * The document {@code GET /v1/status} returns, and {@code trellis status --json} reads. Its
 * shape is a contract: fields are only ever added. Times are ISO-8601 UTC strings; maps are
 * ordered by key.
 *
 * <pre>{@code
 * {
 *   "mesh": "shop",                      // null before a valid spec was loaded
 *   "ready": true,                        // a valid spec is loaded and snapshots are computed
 *   "spec": {
 *     "source": "file:/work/mesh.yaml",   // or "ssm:/trellis/shop"
 *     "version": "3f2a9c0b1d4e5f60",      // content hash of the spec in force
 *     "loadedAt": "2026-11-26T07:40:00Z",
 *     "rejected": {                        // only if a newer document was refused
 *       "at": "2026-11-26T07:41:00Z",
 *       "problems": ["services[orders].port: 0 (expected: 1..65535)"]
 *     }
 *   },
 *   "registry": "memory",                 // or "cloudmap"
 *   "generation": 7,                      // grows with every recompute that changed something
 *   "services": {
 *     "orders": {
 *       "snapshotVersion": "9c1e...",      // the version a proxy of this service gets now
 *       "versions": {
 *         "v1": [{"id": "orders-1", "address": "127.0.0.1", "port": 18081, "zone": null,
 *                 "healthy": true, "workload": "orders-1"}]
 *       }
 *     }
 *   },
 *   "proxies": [
 *     {"id": "orders-4711", "service": "orders", "address": "127.0.0.1",
 *      "version": "9c1e...", "fetchedAt": "2026-11-26T07:40:01Z", "lastSeenAt": "2026-11-26T07:40:31Z",
 *      "waiting": true, "current": true}  // current: holds the service's snapshotVersion
 *   ]
 * }
 * }</pre>
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record StatusReport(
        String mesh,
        boolean ready,
        SpecStatus spec,
        String registry,
        long generation,
        Map<String, ServiceStatus> services,
        List<ProxyEntry> proxies) {

    /** The spec in force and the last refused document. */
    public record SpecStatus(String source, String version, String loadedAt,
            @JsonInclude(JsonInclude.Include.NON_NULL) Rejected rejected) {
    }

    /** A refused spec document. */
    public record Rejected(String at, List<String> problems) {
    }

    /** One service: its current snapshot version and its instances by version. */
    public record ServiceStatus(String snapshotVersion, Map<String, List<InstanceEntry>> versions) {
    }

    /** One instance of a service. */
    public record InstanceEntry(String id, String address, int port, String zone, boolean healthy, String workload) {
    }

    /** One proxy, as it last polled. */
    public record ProxyEntry(String id, String service, String address, String version, String fetchedAt,
            String lastSeenAt, boolean waiting, boolean current) {
    }
}
