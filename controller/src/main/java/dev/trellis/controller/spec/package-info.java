/** Where the mesh spec comes from (a file, or SSM Parameter Store), polled; an invalid new version is refused and the last valid one kept. */
package dev.trellis.controller.spec;
