/** AWS SDK implementations and helpers behind the public interfaces; no public type mentions them. */
package dev.trellis.cloudmap.internal;
