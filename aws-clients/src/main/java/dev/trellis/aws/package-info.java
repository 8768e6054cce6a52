/**
 * Builds every AWS SDK for Java v2 client Trellis uses from one region, one credentials provider
 * and an optional endpoint override (an emulator), with the url-connection HTTP client and the
 * SDK's standard retries: start with {@link dev.trellis.aws.AwsClients}.
 */
package dev.trellis.aws;
