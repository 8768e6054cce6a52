/** How the proxy proves who it is, gets its mesh certificate and learns of revoked peers: command-line options, certificate and CRL clients. */
package dev.trellis.proxy.identity;
