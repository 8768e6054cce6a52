/** The pod annotations and namespace label users write to opt in, and their parsing into checked injection settings. */
package dev.trellis.eks.annotations;
