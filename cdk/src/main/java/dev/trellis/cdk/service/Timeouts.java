package dev.trellis.cdk.service;

import software.amazon.awscdk.Duration;

/**
 * Time limits of a request, over {@link dev.trellis.spec.Timeouts}; unset limits keep the spec's
 * defaults (15 s request, 300 s idle, 1 s connect).
 *
 * <pre>{@code Timeouts.builder().request(Duration.seconds(2)).build()}</pre>
 */
public final class Timeouts {

    private final dev.trellis.spec.Timeouts spec;

    private Timeouts(dev.trellis.spec.Timeouts spec) {
        this.spec = spec;
    }

    /** Only a limit for the whole request, all retries included. */
    public static Timeouts request(Duration request) {
        return builder().request(request).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public dev.trellis.spec.Timeouts toSpec() {
        return spec;
    }

    public static final class Builder {
        private Duration request;
        private Duration idle;
        private Duration connect;

        private Builder() {
        }

        /** The whole request, all retries included. */
        public Builder request(Duration request) {
            this.request = request;
            return this;
        }

        /** How long a connection may stay without traffic. */
        public Builder idle(Duration idle) {
            this.idle = idle;
            return this;
        }

        /** How long opening a connection to an upstream may take. */
        public Builder connect(Duration connect) {
            this.connect = connect;
            return this;
        }

        public Timeouts build() {
            return new Timeouts(new dev.trellis.spec.Timeouts(
                    Durations.toJava(request), Durations.toJava(idle), Durations.toJava(connect)));
        }
    }
}
