/** Test helpers: spec documents and a small HTTP client. */
package dev.trellis.controller.testing;
