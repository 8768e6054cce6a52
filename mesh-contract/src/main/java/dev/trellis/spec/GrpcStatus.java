package dev.trellis.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The gRPC statuses a retry policy may name, with their wire codes. */
public enum GrpcStatus {
    @JsonProperty("cancelled") CANCELLED(1),
    @JsonProperty("deadline-exceeded") DEADLINE_EXCEEDED(4),
    @JsonProperty("resource-exhausted") RESOURCE_EXHAUSTED(8),
    @JsonProperty("internal") INTERNAL(13),
    @JsonProperty("unavailable") UNAVAILABLE(14);

    private final int code;

    GrpcStatus(int code) {
        this.code = code;
    }

    /** The numeric value carried in the {@code grpc-status} trailer. */
    public int code() {
        return code;
    }
}
