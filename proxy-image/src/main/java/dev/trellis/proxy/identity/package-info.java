/** How the proxy proves who it is and gets its mesh certificate: command-line options and the certificate client. */
package dev.trellis.proxy.identity;
