/** The mesh's Lambda hooks: ECS task state changes to Cloud Map, progressive delivery on a schedule, and the mesh CA custom resource. */
package dev.trellis.cdk.hooks;
