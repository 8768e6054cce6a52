/** Progressive delivery: moves a route's weight from a baseline version to a canary in steps, promoting, holding or rolling back on the canary's CloudWatch metrics. */
package dev.trellis.hooks.canary;
