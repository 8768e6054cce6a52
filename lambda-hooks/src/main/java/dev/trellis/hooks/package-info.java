/** What every Lambda hook shares: reading event JSON with Jackson, reporting malformed fields as {@code field: value (expected: ...)}, and durations as specs write them. */
package dev.trellis.hooks;
