/** How one host of a cluster is picked: round robin, least request (power of two choices), peak EWMA latency. */
package dev.trellis.proxy.loadbalancer;
