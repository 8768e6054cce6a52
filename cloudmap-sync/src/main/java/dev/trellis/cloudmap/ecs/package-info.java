/** Which ECS tasks belong to a mesh, what state they are in, and where they listen: through the ECS API and task state change events. */
package dev.trellis.cloudmap.ecs;
