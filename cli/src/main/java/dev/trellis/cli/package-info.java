/** The {@code trellis} command line: its commands and how they print. */
package dev.trellis.cli;
