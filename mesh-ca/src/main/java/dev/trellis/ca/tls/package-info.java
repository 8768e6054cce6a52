/** Mutual TLS for the mesh: Netty SslContexts that follow certificate rotation, SPIFFE peer verification, peer identity. */
package dev.trellis.ca.tls;
