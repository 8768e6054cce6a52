package dev.trellis.proxy.inbound;

import dev.trellis.proxy.config.RoutingTable;
import dev.trellis.proxy.forward.ForwardingContext;
import dev.trellis.proxy.forward.ForwardingFrontendHandler;
import dev.trellis.proxy.forward.RequestTarget;
import dev.trellis.proxy.routing.CompiledRoute;
import io.netty.handler.codec.http.HttpRequest;

/**
 * The inbound listener's frontend: every request goes to the local application
 * (127.0.0.1, the snapshot's application port), whatever its Host.
 */
public final class InboundFrontendHandler extends ForwardingFrontendHandler {

    public InboundFrontendHandler(ForwardingContext context) {
        super(context);
    }

    @Override
    protected CompiledRoute route(RoutingTable table, HttpRequest request, RequestTarget target) {
        return table.inbound();
    }
}
