/** {@code trellis up}: runs a local mesh (controller, a proxy per instance, the example services, traffic) and shows it live. */
package dev.trellis.cli.up;
