/** Mesh identity: who a proxy is, how it proves it, and the certificates that carry it. */
package dev.trellis.ca;
