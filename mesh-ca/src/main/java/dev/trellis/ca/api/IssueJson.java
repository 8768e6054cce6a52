package dev.trellis.ca.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * JSON for the issuing API, with Jackson; instants as ISO-8601 strings. Readers fail with
 * {@link IllegalArgumentException} in the form {@code field: value (expected: ...)}.
 */
public final class IssueJson {

    /** The path the issuing service is mounted at. */
    public static final String PATH = "/v1/certificates";
    /** The media type of every body. */
    public static final String CONTENT_TYPE = "application/json";
    /** Largest request body accepted: a CSR and a presigned request are a few KiB. */
    public static final int MAX_REQUEST_BYTES = 64 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .registerModule(new SimpleModule("trellis-instant")
                    .addSerializer(Instant.class, new JsonSerializer<>() {
                        @Override
                        public void serialize(Instant value, JsonGenerator out, SerializerProvider provider) throws IOException {
                            out.writeString(value.toString());
                        }
                    })
                    .addDeserializer(Instant.class, new JsonDeserializer<>() {
                        @Override
                        public Instant deserialize(JsonParser in, DeserializationContext context) throws IOException {
                            try {
                                return Instant.parse(in.getValueAsString());
                            } catch (DateTimeParseException | NullPointerException e) {
                                throw context.weirdStringException(in.getText(), Instant.class, "expected an ISO-8601 instant");
                            }
                        }
                    }));

    private IssueJson() {
    }

    /** The JSON bytes (UTF-8) of a request, response or error. */
    public static byte[] write(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("writing " + value.getClass().getSimpleName() + " as JSON failed", e);
        }
    }

    /** A request body. */
    public static IssueRequest readRequest(byte[] body) {
        IssueRequest request = read(body, IssueRequest.class, "{\"csrPem\": \"...\", \"proof\": {\"kind\": \"aws-sts|k8s-token|bootstrap\", ...}}");
        if (request.csrPem() == null || request.csrPem().isBlank()) {
            throw new IllegalArgumentException("csrPem: " + request.csrPem() + " (expected: a PEM PKCS#10 request)");
        }
        if (request.proof() == null) {
            throw new IllegalArgumentException("proof: null (expected: {\"kind\": \"aws-sts|k8s-token|bootstrap\", ...})");
        }
        return request;
    }

    /** A {@code 200} body. */
    public static IssueResponse readResponse(byte[] body) {
        return read(body, IssueResponse.class, "{\"certificateChainPem\", \"trustBundlePem\", \"notAfter\"}");
    }

    /** The message of an error body, or the body itself when it is not an {@link IssueError}. */
    public static String readError(byte[] body) {
        try {
            IssueError error = JSON.readValue(body, IssueError.class);
            if (error.error() != null) {
                return error.error();
            }
        } catch (IOException e) {
            // Not ours (a proxy in between, say): show what came.
        }
        return new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static <T> T read(byte[] body, Class<T> type, String expected) {
        if (body == null || body.length == 0) {
            throw new IllegalArgumentException("body: empty (expected: " + expected + ")");
        }
        if (body.length > MAX_REQUEST_BYTES) {
            throw new IllegalArgumentException("body: " + body.length + " bytes (expected: at most " + MAX_REQUEST_BYTES + ")");
        }
        try {
            return JSON.readValue(body, type);
        } catch (com.fasterxml.jackson.databind.exc.InvalidTypeIdException e) {
            throw new IllegalArgumentException("proof.kind: " + e.getTypeId() + " (expected: aws-sts, k8s-token or bootstrap)", e);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("body: malformed JSON, " + e.getOriginalMessage() + " (expected: " + expected + ")", e);
        } catch (IOException e) {
            throw new IllegalArgumentException("body: unreadable (expected: " + expected + ")", e);
        }
    }
}
