/** Start-up speed: the training run whose classes the JVM archives (class-data sharing), so the proxy loads them mapped, parsed and verified ahead of time. */
package dev.trellis.proxy.startup;
