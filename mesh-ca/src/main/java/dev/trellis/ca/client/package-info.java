/** The proxy's certificate client: its own key, a CSR with a proof, renewal at two thirds of the lifetime. */
package dev.trellis.ca.client;
