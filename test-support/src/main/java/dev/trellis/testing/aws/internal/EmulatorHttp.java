package dev.trellis.testing.aws.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain HTTP calls to an emulator's own control endpoints (reset, state manager, readiness). */
public final class EmulatorHttp {

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(1))
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    private EmulatorHttp() {
    }

    /**
     * POSTs {@code jsonBody} (may be empty) to {@code endpoint} + {@code path} and fails unless the
     * answer is 2xx.
     *
     * @throws IllegalStateException with the status and body when the emulator refuses or is gone
     */
    public static void post(URI endpoint, String path, String jsonBody) {
        HttpRequest request = HttpRequest.newBuilder(endpoint.resolve(path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(jsonBody))
                .build();
        HttpResponse<String> response;
        try {
            response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("POST " + request.uri() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during POST " + request.uri(), e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException("POST " + request.uri() + " answered " + response.statusCode()
                    + " (expected: 2xx): " + response.body());
        }
    }

    /** Whether anything answers HTTP at {@code uri} (any status counts). */
    static boolean answers(URI uri) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).GET().build();
        try {
            CLIENT.send(request, HttpResponse.BodyHandlers.discarding());
            return true;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
