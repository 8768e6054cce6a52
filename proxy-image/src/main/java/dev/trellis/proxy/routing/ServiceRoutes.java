package dev.trellis.proxy.routing;

import io.netty.handler.codec.http.HttpRequest;
import java.util.List;

/** The routes of one virtual service, in the order they are tried; the first that matches wins. */
public final class ServiceRoutes {

    private final String service;
    private final CompiledRoute[] routes;

    public ServiceRoutes(String service, List<CompiledRoute> routes) {
        this.service = service;
        this.routes = routes.toArray(CompiledRoute[]::new);
    }

    public String service() {
        return service;
    }

    /** @return the first matching route, or null */
    public CompiledRoute route(HttpRequest request, String path, String rawQuery) {
        for (CompiledRoute route : routes) {
            if (route.matcher().matches(request, path, rawQuery)) {
                return route;
            }
        }
        return null;
    }

    public List<CompiledRoute> routes() {
        return List.of(routes);
    }
}
