/** How specs are parsed and checked: the Jackson set-up, duration format, schema and semantic checks. No public type mentions these. */
package dev.trellis.spec.internal;
