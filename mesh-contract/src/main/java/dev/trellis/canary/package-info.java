/** The canary rollout plan the CDK writes and the canary hook reads: its fields, defaults, validation and JSON form. */
package dev.trellis.canary;
