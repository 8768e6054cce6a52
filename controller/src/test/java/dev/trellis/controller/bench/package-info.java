/** The controller benchmark (a main class, not a test): recompute time, memory and propagation delay at 1,000 services. */
package dev.trellis.controller.bench;
