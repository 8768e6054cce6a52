/** JSON access log lines, one per request, written by a background thread from a bounded queue that drops (and counts) rather than block an event loop. */
package dev.trellis.proxy.accesslog;
