package dev.trellis.cdk.service;

import software.amazon.awscdk.Duration;

/** CDK durations to the spec's: the constructs take CDK's type, the spec records Java's. */
final class Durations {

    private Durations() {
    }

    static java.time.Duration toJava(Duration duration) {
        return duration == null ? null : java.time.Duration.ofMillis(duration.toMilliseconds().longValue());
    }
}
