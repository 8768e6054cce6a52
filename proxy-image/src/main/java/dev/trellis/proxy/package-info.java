/** The sidecar proxy process: {@code ProxyServer} (listeners on one event loop group, the snapshot in force) and {@code Main}, which only wires it from the command line. */
package dev.trellis.proxy;
