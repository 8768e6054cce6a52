/** ECS task state change events to Cloud Map: the Lambda face of cloudmap-sync's fast path, which registers a task once it runs healthy and deregisters it as soon as it begins to stop. */
package dev.trellis.hooks.ecs;
