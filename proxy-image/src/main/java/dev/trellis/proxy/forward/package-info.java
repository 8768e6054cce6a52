/** Forwarding one request to an upstream and its response back: tries, retries, timeouts, streaming with backpressure. */
package dev.trellis.proxy.forward;
