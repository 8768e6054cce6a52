/** EKS pods through PodRegistration, Cloud Map and the controller to a proxy's snapshot. */
package dev.trellis.e2e.eks;
