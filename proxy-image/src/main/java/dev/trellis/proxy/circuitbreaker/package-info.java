/** Per-cluster thresholds (connections, pending and concurrent requests) that turn overload into a fast 503. */
package dev.trellis.proxy.circuitbreaker;
