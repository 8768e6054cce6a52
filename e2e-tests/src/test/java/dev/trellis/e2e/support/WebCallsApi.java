package dev.trellis.e2e.support;

import dev.trellis.spec.MeshSpec;
import dev.trellis.spec.MeshSpecs;
import java.time.Duration;

/**
 * The mesh of these tests: {@code web} (port 8080) calls {@code api} (port 8081, version v1), with
 * plaintext between proxies (no mesh CA here), api's request timeout as given, and retries on
 * connection failures and resets, as the shop example configures its services.
 */
public final class WebCallsApi {

    public static final String WEB = "web";
    public static final String API = "api";
    public static final String API_CLUSTER = "api/v1";

    private WebCallsApi() {
    }

    public static MeshSpec spec(String mesh, Duration apiRequestTimeout) {
        return MeshSpecs.parseYaml("""
                apiVersion: trellis.dev/v1
                mesh: %s
                trustDomain: %s.trellis.local
                tls: DISABLED
                defaultPolicy: ALLOW
                services:
                  - name: web
                    protocol: http
                    port: 8080
                  - name: api
                    protocol: http
                    port: 8081
                    versions: [v1]
                    timeouts:
                      request: %dms
                    retry:
                      attempts: 2
                      on: [connect-failure, reset]
                      perTryTimeout: 4s
                """.formatted(mesh, mesh, apiRequestTimeout.toMillis()));
    }
}
