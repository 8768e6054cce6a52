/** The proxy's side of the controller protocol: long-poll snapshots, persist the last good one, fall back to Cloud Map. */
package dev.trellis.snapshot.client;
