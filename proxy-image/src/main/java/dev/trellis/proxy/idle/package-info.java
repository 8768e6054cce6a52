/** Idle timeouts of callers' connections: closed (HTTP/2: GOAWAY first) after a time with no request in flight. */
package dev.trellis.proxy.idle;
