/** The shop of examples/shop/mesh.yaml as a CDK app on ECS Fargate: what `cdk synth` at the repository root builds. */
package dev.trellis.cdk.example;
