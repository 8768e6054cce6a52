/** The mesh controller's entry point: {@link dev.trellis.controller.Main} wires the spec source, registry, snapshot engine and server, nothing else. */
package dev.trellis.controller;
