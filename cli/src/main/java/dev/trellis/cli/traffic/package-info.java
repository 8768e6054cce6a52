/** A constant-rate traffic generator that measures from the intended send time, so a slow mesh cannot hide its latency (no coordinated omission). */
package dev.trellis.cli.traffic;
