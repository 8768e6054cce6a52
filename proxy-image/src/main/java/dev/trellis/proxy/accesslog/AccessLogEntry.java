package dev.trellis.proxy.accesslog;

/**
 * What the data plane knows about one finished request. Built once per request on the event
 * loop; turning it into JSON and writing it happens on the access log's own thread.
 *
 * @param startMillis when the request's first byte arrived, {@link System#currentTimeMillis()}
 * @param method the HTTP method
 * @param authority the Host / :authority the caller sent
 * @param path the request path with its query
 * @param status the status sent to the caller, or 0 when none was sent
 * @param durationNanos from the first request byte to the last response byte
 * @param route the route that matched, or null
 * @param upstreamCluster the cluster the last try went to, or null
 * @param upstreamHost {@code address:port} of the host the last try went to, or null
 * @param retries tries after the first
 * @param bytesReceived request body bytes from the caller
 * @param bytesSent response body bytes to the caller
 * @param caller the caller's SPIFFE ID from its certificate, or null when not known
 */
public record AccessLogEntry(
        long startMillis,
        String method,
        String authority,
        String path,
        int status,
        long durationNanos,
        String route,
        String upstreamCluster,
        String upstreamHost,
        int retries,
        long bytesReceived,
        long bytesSent,
        String caller) {
}
