/** Plain TCP pass-through for {@code protocol: tcp} services: bytes relayed both ways to a picked host, with backpressure, half-close and a connect timeout. */
package dev.trellis.proxy.tcp;
