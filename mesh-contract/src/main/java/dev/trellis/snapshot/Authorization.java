package dev.trellis.snapshot;

import java.util.List;

/**
 * Who may call through the inbound listener.
 *
 * @param allowAll every mesh identity may call (the service lists no callers and the mesh's default is ALLOW)
 * @param rules otherwise, the identities that may, with their paths and methods
 */
public record Authorization(boolean allowAll, List<Rule> rules) {

    public static final Authorization ALLOW_ALL = new Authorization(true, List.of());

    public Authorization {
        rules = rules != null ? List.copyOf(rules) : List.of();
    }

    /**
     * @param identity the caller's SPIFFE ID
     * @param paths path prefixes; empty means every path
     * @param methods methods; empty means every method
     */
    public record Rule(String identity, List<String> paths, List<String> methods) {
        public Rule {
            paths = paths != null ? List.copyOf(paths) : List.of();
            methods = methods != null ? List.copyOf(methods) : List.of();
        }
    }
}
