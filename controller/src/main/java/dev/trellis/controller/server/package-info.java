/** The controller's HTTP server (Netty): long-poll snapshots, the registry API for local processes, and the admin endpoints. */
package dev.trellis.controller.server;
