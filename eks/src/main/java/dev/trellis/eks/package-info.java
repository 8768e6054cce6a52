/** The Kubernetes half of the controller: annotation-driven sidecar injection and pod registration. */
package dev.trellis.eks;
