package dev.trellis.spec;

import java.util.List;

/**
 * One service allowed to call another, optionally only on some paths and methods.
 *
 * @param service the calling mesh service
 * @param paths path prefixes it may call; empty means every path
 * @param methods HTTP methods it may use; empty means every method
 */
public record CallerRule(String service, List<String> paths, List<String> methods) {

    public CallerRule {
        paths = paths != null ? List.copyOf(paths) : List.of();
        methods = methods != null ? List.copyOf(methods) : List.of();
    }

    public static CallerRule of(String service) {
        return new CallerRule(service, null, null);
    }
}
