/** Sidecar injection as an ordered list of small pod mutators, each doing one thing. */
package dev.trellis.eks.inject;
