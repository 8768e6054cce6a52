package dev.trellis.ca.authority;

import dev.trellis.ca.api.IssueJson;
import java.nio.charset.StandardCharsets;

/** What to answer over HTTP: status and a JSON body ({@value IssueJson#CONTENT_TYPE}). */
public record HttpReply(int status, byte[] body) {

    /** Always {@value IssueJson#CONTENT_TYPE}. */
    public String contentType() {
        return IssueJson.CONTENT_TYPE;
    }

    @Override
    public String toString() {
        return "HttpReply[" + status + " " + new String(body, StandardCharsets.UTF_8) + "]";
    }
}
