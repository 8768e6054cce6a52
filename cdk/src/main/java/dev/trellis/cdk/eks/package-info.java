/** Trellis on EKS: the controller and its sidecar-injecting admission webhook installed on a cluster, and the pod annotations users add. */
package dev.trellis.cdk.eks;
