/** Graceful shutdown: on SIGTERM stop accepting, let in-flight work finish up to a drain timeout, stop the event loops, exit 0. */
package dev.trellis.proxy.lifecycle;
