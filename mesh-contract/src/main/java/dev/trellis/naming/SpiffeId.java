package dev.trellis.naming;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The identity of a mesh service: {@code spiffe://<trust-domain>/mesh/<mesh>/service/<name>},
 * carried as the URI SAN of its proxies' certificates.
 */
public record SpiffeId(String trustDomain, String mesh, String service) {

    private static final Pattern FORM = Pattern.compile("^spiffe://([^/]+)/mesh/([^/]+)/service/([^/]+)$");

    public static SpiffeId of(String trustDomain, String mesh, String service) {
        return new SpiffeId(trustDomain, mesh, service);
    }

    public static SpiffeId parse(String uri) {
        Matcher m = FORM.matcher(uri == null ? "" : uri);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "SPIFFE ID: " + uri + " (expected: spiffe://<trust-domain>/mesh/<mesh>/service/<name>)");
        }
        return new SpiffeId(m.group(1), m.group(2), m.group(3));
    }

    public String uri() {
        return "spiffe://" + trustDomain + "/mesh/" + mesh + "/service/" + service;
    }

    @Override
    public String toString() {
        return uri();
    }
}
