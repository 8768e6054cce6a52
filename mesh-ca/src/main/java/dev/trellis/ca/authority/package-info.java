/** The mesh CA: signs short-lived SPIFFE leaf certificates, publishes the trust bundle, rotates its root with overlap. */
package dev.trellis.ca.authority;
