/** The one implementation behind every image source; no public type mentions it. */
package dev.trellis.cdk.images.internal;
