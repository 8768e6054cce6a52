package dev.trellis.spec;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a service's listener speaks. */
public enum Protocol {
    @JsonProperty("http") HTTP,
    @JsonProperty("http2") HTTP2,
    @JsonProperty("grpc") GRPC,
    @JsonProperty("tcp") TCP;

    /** Whether requests can be routed on path, headers and method (everything but tcp). */
    public boolean isHttp() {
        return this != TCP;
    }

    /** Whether upstream connections speak HTTP/2. */
    public boolean isHttp2() {
        return this == HTTP2 || this == GRPC;
    }
}
