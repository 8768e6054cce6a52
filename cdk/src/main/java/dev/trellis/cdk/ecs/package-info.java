/** Trellis on ECS: the sidecar proxy in a task definition (Fargate or EC2), start-up order, permissions, logs and the tags that name a workload. */
package dev.trellis.cdk.ecs;
