/** Where the mesh CA keeps its keys and roots: AWS Secrets Manager, a local file, or memory. */
package dev.trellis.ca.store;
