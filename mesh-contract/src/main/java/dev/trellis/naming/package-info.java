/** The names every module must agree on: ports, Cloud Map attributes, SSM paths, workload labels and SPIFFE identities. */
package dev.trellis.naming;
