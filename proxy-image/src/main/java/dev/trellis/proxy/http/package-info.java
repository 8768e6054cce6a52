/** HTTP pieces both listeners share: codec set-up with limits, smuggling defences, hop-by-hop headers and the proxy's own error responses. */
package dev.trellis.proxy.http;
