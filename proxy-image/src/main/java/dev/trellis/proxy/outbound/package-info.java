/** The outbound listener: the local application calls other services through it, as an HTTP proxy or by Host / :authority. */
package dev.trellis.proxy.outbound;
