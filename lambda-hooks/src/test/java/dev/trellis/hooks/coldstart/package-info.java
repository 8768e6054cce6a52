/** Cold-start measurement of the Lambda handlers: a fresh JVM on the shaded jar, timed from JVM start to the first answer. */
package dev.trellis.hooks.coldstart;
