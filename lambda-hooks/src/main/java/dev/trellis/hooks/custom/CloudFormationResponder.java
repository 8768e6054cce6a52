package dev.trellis.hooks.custom;

import dev.trellis.hooks.EventJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Sends a custom resource's response as CloudFormation documents it: an HTTP PUT of the JSON
 * body to the pre-signed S3 URL, with an empty {@code Content-Type} (the URL's signature covers
 * none). A stack waits an hour for an answer that never comes, so failures are retried a few
 * times with a growing pause; an answer that still fails is thrown, for Lambda's log and metrics.
 *
 * <p>{@link HttpURLConnection}, not {@code java.net.http.HttpClient}: it is already loaded by the
 * SDK's url-connection client, which keeps the cold start short.
 */
public final class CloudFormationResponder {

    private static final int TIMEOUT_MILLIS = 10_000;

    private final int attempts;
    private final Duration firstPause;

    private CloudFormationResponder(int attempts, Duration firstPause) {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts: " + attempts + " (expected: at least 1)");
        }
        this.attempts = attempts;
        this.firstPause = Objects.requireNonNull(firstPause, "firstPause");
    }

    /** Three attempts, pausing 1 s then 2 s. */
    public static CloudFormationResponder standard() {
        return new CloudFormationResponder(3, Duration.ofSeconds(1));
    }

    /** {@code attempts} attempts, pausing {@code firstPause}, then twice as long each time. */
    public static CloudFormationResponder retrying(int attempts, Duration firstPause) {
        return new CloudFormationResponder(attempts, firstPause);
    }

    /**
     * PUTs {@code response} to {@code url}.
     *
     * @throws UncheckedIOException when every attempt failed or was refused
     */
    public void send(URI url, CustomResourceResponse response) {
        byte[] body;
        try {
            body = EventJson.mapper().writeValueAsBytes(response.toJson());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        IOException last = null;
        Duration pause = firstPause;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                int status = put(url, body);
                if (status / 100 == 2) {
                    return;
                }
                last = new IOException("ResponseURL: HTTP " + status + " (expected: 200 from the pre-signed URL)");
                if (status / 100 == 4) {
                    break; // an expired or tampered URL will not get better
                }
            } catch (IOException e) {
                last = e;
            }
            if (attempt < attempts) {
                sleep(pause);
                pause = pause.multipliedBy(2);
            }
        }
        throw new UncheckedIOException("the response to CloudFormation was not delivered to " + url.getHost(), last);
    }

    private static int put(URI url, byte[] body) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) url.toURL().openConnection();
        try {
            connection.setRequestMethod("PUT");
            connection.setDoOutput(true);
            connection.setConnectTimeout(TIMEOUT_MILLIS);
            connection.setReadTimeout(TIMEOUT_MILLIS);
            connection.setRequestProperty("Content-Type", "");
            connection.setFixedLengthStreamingMode(body.length);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body);
            }
            int status = connection.getResponseCode();
            try (InputStream in = status < 400 ? connection.getInputStream() : connection.getErrorStream()) {
                if (in != null) {
                    in.readAllBytes();
                }
            }
            return status;
        } finally {
            connection.disconnect();
        }
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while answering CloudFormation", e);
        }
    }
}
