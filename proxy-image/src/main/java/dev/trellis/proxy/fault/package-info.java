/** Fault injection: added delays and aborted requests on matching routes, to test how callers cope. */
package dev.trellis.proxy.fault;
