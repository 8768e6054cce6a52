/** The mesh spec: the user-facing document of a mesh, its records, defaults, reading, writing and validation. */
package dev.trellis.spec;
