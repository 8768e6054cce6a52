/**
 * Starting, probing and stopping the emulator processes behind
 * {@link dev.trellis.testing.aws.AwsEmulatorExtension}; not for use outside test-support.
 */
package dev.trellis.testing.aws.internal;
