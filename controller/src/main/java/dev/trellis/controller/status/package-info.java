/** What the controller reports about itself: the proxies it serves, and the {@code /v1/status} document the CLI reads. */
package dev.trellis.controller.status;
