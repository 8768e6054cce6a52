package dev.trellis.ca.client;

import dev.trellis.ca.api.IssueJson;
import dev.trellis.ca.api.IssueRequest;
import dev.trellis.ca.api.IssueResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;

final class HttpIssueTransport implements IssueTransport {
    private final URI endpoint;
    private final Duration timeout;
    private final HttpClient http;

    HttpIssueTransport(URI controller, Duration timeout) {
        Objects.requireNonNull(controller, "controller");
        if (!controller.isAbsolute() || controller.getHost() == null) {
            throw new IllegalArgumentException("controller: " + controller + " (expected: an absolute URI such as http://127.0.0.1:8080)");
        }
        this.endpoint = controller.resolve(IssueJson.PATH);
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public IssueResponse issue(IssueRequest request) throws IssueFailedException {
        HttpRequest post = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Content-Type", IssueJson.CONTENT_TYPE)
                .header("Accept", IssueJson.CONTENT_TYPE)
                .POST(HttpRequest.BodyPublishers.ofByteArray(IssueJson.write(request)))
                .build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(post, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new IssueFailedException(0, "POST " + endpoint + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IssueFailedException(0, "POST " + endpoint + ": interrupted", e);
        }
        if (response.statusCode() != 200) {
            throw new IssueFailedException(response.statusCode(), "POST " + endpoint + ": HTTP " + response.statusCode()
                    + ", " + IssueJson.readError(response.body()), null);
        }
        try {
            return IssueJson.readResponse(response.body());
        } catch (IllegalArgumentException e) {
            throw new IssueFailedException(200, "POST " + endpoint + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "IssueTransport.http(" + endpoint + ")";
    }
}
