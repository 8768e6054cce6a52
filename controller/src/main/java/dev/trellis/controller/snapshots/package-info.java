/** One immutable, versioned, consistency-checked snapshot per mesh service, recomputed incrementally from spec and registry, with long-poll watches. */
package dev.trellis.controller.snapshots;
