/** A mesh service as a construct (its Cloud Map service and spec parameter) and the typed values that describe its traffic policy. */
package dev.trellis.cdk.service;
