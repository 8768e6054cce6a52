/** The proxy's meters (requests, latency, retries, circuit breaking, ejections, connections, bad requests), scraped by Prometheus and optionally pushed to CloudWatch. */
package dev.trellis.proxy.metrics;
