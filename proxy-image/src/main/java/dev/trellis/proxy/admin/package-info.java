/** The admin port: readiness, liveness, the applied snapshot, host health, Prometheus metrics and drain, over plain HTTP/1.1. */
package dev.trellis.proxy.admin;
