/** The controller's view of endpoints per service and version: in memory (local mode, fed by the registry API) or read from Cloud Map. */
package dev.trellis.controller.registry;
