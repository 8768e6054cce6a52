/** Time for tests: a clock the test moves by hand. */
package dev.trellis.testing.time;
