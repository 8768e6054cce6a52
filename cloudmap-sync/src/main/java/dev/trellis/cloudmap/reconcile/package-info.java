/** Makes Cloud Map equal the running mesh tasks: a full anti-entropy reconcile, the task-state-change fast path, and the periodic loop with backoff. */
package dev.trellis.cloudmap.reconcile;
