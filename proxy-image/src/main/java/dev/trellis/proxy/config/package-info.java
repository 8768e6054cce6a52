/** Where the proxy's configuration comes from (a JSON snapshot file, or any SnapshotSource) and the immutable routing table compiled from it, swapped atomically. */
package dev.trellis.proxy.config;
