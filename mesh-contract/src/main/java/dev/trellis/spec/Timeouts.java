package dev.trellis.spec;

import java.time.Duration;

/**
 * Time limits of a request. Defaults follow App Mesh: 15 s for a whole request (all tries),
 * 300 s idle, and 1 s to open a connection.
 *
 * @param request the whole request, all retries included
 * @param idle how long a connection may stay without traffic
 * @param connect how long opening a connection to an upstream may take
 */
public record Timeouts(Duration request, Duration idle, Duration connect) {

    public static final Timeouts DEFAULT =
            new Timeouts(Duration.ofSeconds(15), Duration.ofSeconds(300), Duration.ofSeconds(1));

    public Timeouts {
        request = request != null ? request : Duration.ofSeconds(15);
        idle = idle != null ? idle : Duration.ofSeconds(300);
        connect = connect != null ? connect : Duration.ofSeconds(1);
    }

    public static Timeouts of(Duration request) {
        return new Timeouts(request, null, null);
    }
}
