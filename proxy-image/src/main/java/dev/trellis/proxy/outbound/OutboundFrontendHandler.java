package dev.trellis.proxy.outbound;

import dev.trellis.proxy.config.RoutingTable;
import dev.trellis.proxy.forward.ForwardingContext;
import dev.trellis.proxy.forward.ForwardingFrontendHandler;
import dev.trellis.proxy.forward.RequestTarget;
import dev.trellis.proxy.routing.CompiledRoute;
import dev.trellis.proxy.routing.ServiceRoutes;
import io.netty.handler.codec.http.HttpRequest;

/**
 * The outbound listener's frontend: the service is the one whose hosts include the request's
 * authority (absolute URI as sent to an HTTP proxy, else Host / :authority, port ignored), and
 * the route is that service's first matching one.
 */
public final class OutboundFrontendHandler extends ForwardingFrontendHandler {

    public OutboundFrontendHandler(ForwardingContext context) {
        super(context);
    }

    @Override
    protected CompiledRoute route(RoutingTable table, HttpRequest request, RequestTarget target) {
        ServiceRoutes service = table.serviceForHost(target.authority());
        return service == null ? null : service.route(request, target.path(), target.rawQuery());
    }
}
