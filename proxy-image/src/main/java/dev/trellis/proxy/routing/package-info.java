/** Which route a request takes: path, header, method and query matchers, and deterministic weighted picking among a route's clusters. */
package dev.trellis.proxy.routing;
