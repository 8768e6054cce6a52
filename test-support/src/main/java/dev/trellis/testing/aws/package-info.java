/**
 * A JUnit 5 extension that runs tests against an AWS API emulator (moto, or LocalStack) with
 * ready Trellis AWS clients: annotate the class with {@link dev.trellis.testing.aws.WithAwsEmulator}
 * and take an {@link dev.trellis.testing.aws.AwsEmulator} parameter.
 */
package dev.trellis.testing.aws;
