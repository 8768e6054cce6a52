/** The proxy snapshot: the immutable, versioned, self-checked configuration one proxy receives, and how it is compiled from a spec and endpoints. */
package dev.trellis.snapshot;
