/** What the end-to-end tests share: local apps, constant traffic, a mesh in SSM, ECS tasks in moto, one host's network, waiting. */
package dev.trellis.e2e.support;
