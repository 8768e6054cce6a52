/** The network transport: epoll on Linux, NIO elsewhere, and the socket options the proxy uses. */
package dev.trellis.proxy.transport;
