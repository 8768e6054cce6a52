/** Request mirroring: fire-and-forget copies of requests to another cluster, whose responses are dropped. */
package dev.trellis.proxy.mirror;
