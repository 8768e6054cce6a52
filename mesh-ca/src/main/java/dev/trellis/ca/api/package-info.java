/** The wire contract between a proxy and the mesh CA: {@code POST /v1/certificates} request, response and error JSON. */
package dev.trellis.ca.api;
