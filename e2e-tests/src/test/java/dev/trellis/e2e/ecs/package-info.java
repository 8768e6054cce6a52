/** ECS tasks through cloudmap-sync, Cloud Map and the controller to proxies that carry real traffic. */
package dev.trellis.e2e.ecs;
