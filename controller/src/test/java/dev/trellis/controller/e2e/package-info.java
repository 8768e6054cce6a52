/** End-to-end: the proxy's snapshot client against a real controller on loopback. */
package dev.trellis.controller.e2e;
