package dev.trellis.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What makes a request worth retrying, Envoy's {@code retry_on} vocabulary. */
public enum RetryEvent {
    /** Any 5xx response. */
    @JsonProperty("server-error") SERVER_ERROR,
    /** 502, 503 or 504. */
    @JsonProperty("gateway-error") GATEWAY_ERROR,
    /** The connection to the upstream could not be made. */
    @JsonProperty("connect-failure") CONNECT_FAILURE,
    /** The upstream reset or closed the connection before a response. */
    @JsonProperty("reset") RESET,
    /** A per-try timeout fired. */
    @JsonProperty("per-try-timeout") PER_TRY_TIMEOUT,
    /** A status listed in {@link RetryPolicy#statusCodes()}. */
    @JsonProperty("retriable-status-codes") RETRIABLE_STATUS_CODES
}
