/**
 * Keeps Cloud Map instances equal to the running, healthy mesh workloads; {@link dev.trellis.cloudmap.Workload}
 * is what a registration is made of.
 */
package dev.trellis.cloudmap;
