/** Idempotent Cloud Map writes: a mesh service's Cloud Map service, and one instance per workload with its health. */
package dev.trellis.cloudmap.registrar;
