/** Upstream clusters, their hosts, and per-event-loop connection pools of HTTP/1.1 and multiplexed HTTP/2 connections. */
package dev.trellis.proxy.upstream;
