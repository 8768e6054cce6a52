/** The mesh construct: its Cloud Map namespace, spec root in SSM, CA secret, controller, hooks, logs and dashboard. */
package dev.trellis.cdk.mesh;
