/** Identity proofs: how the CA learns which mesh service a caller is (STS caller identity, TokenReview, bootstrap token). */
package dev.trellis.ca.identity;
