package dev.trellis.snapshot;

import dev.trellis.spec.Protocol;
import dev.trellis.spec.TlsMode;

/**
 * The listener peers call: it terminates (m)TLS, authorizes, and forwards to the local app.
 *
 * @param port where the proxy listens
 * @param appPort where the local application listens
 * @param protocol what the application speaks
 * @param tls STRICT, PERMISSIVE or DISABLED
 * @param authorization who may call
 */
public record Inbound(int port, int appPort, Protocol protocol, TlsMode tls, Authorization authorization) {
}
