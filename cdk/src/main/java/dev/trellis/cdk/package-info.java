/** CDK constructs that declare a Trellis mesh on AWS: the mesh, its services, and their ECS and EKS workloads. */
package dev.trellis.cdk;
