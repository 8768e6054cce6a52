/** The proxies' CloudWatch metrics as the constructs read them: the mesh dashboard and each service's alarms. */
package dev.trellis.cdk.observability;
