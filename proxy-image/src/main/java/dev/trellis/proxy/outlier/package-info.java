/** Passive health checking: hosts that keep failing are ejected for a growing time, within a cluster's ejection limit. */
package dev.trellis.proxy.outlier;
