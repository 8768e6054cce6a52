/** X.509 building blocks shared by the CA and the proxy: PEM, EC P-256 key pairs, CSRs, SPIFFE URI SANs. */
package dev.trellis.ca.pki;
