/** Reading a mesh's instances from Cloud Map, the way Trellis registers them: shared by the proxy's fallback and the controller's registry. */
package dev.trellis.snapshot.client.cloudmap;
