/** Implementation details of the metrics package: no public type outside it mentions these. */
package dev.trellis.proxy.metrics.internal;
