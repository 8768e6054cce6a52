/** Helpers shared by the constructs (lazy values, spec parameters); no public type mentions them. */
package dev.trellis.cdk.internal;
