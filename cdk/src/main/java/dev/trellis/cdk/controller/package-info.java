/** The Trellis controller on ECS Fargate: its service, load balancer, permissions, ports and the environment it is started with. */
package dev.trellis.cdk.controller;
