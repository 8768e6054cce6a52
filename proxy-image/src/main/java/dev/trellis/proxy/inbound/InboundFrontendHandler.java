package dev.trellis.proxy.inbound;

import dev.trellis.ca.tls.PeerIdentity;
import dev.trellis.naming.SpiffeId;
import dev.trellis.proxy.config.RoutingTable;
import dev.trellis.proxy.forward.ForwardingContext;
import dev.trellis.proxy.forward.ForwardingFrontendHandler;
import dev.trellis.proxy.forward.RequestTarget;
import dev.trellis.proxy.http.LocalReply;
import dev.trellis.proxy.routing.CompiledRoute;
import dev.trellis.snapshot.Authorization;
import dev.trellis.proxy.accesslog.AccessLog;
import dev.trellis.proxy.accesslog.AccessLogEntry;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AsciiString;

/**
 * The inbound listener's frontend: every request goes to the local application
 * (127.0.0.1, the snapshot's application port), whatever its Host, once the caller is
 * authorized. The caller's identity is the SPIFFE ID its mTLS certificate proves; the app
 * receives it in {@code x-trellis-caller} (any such header from the caller itself is removed).
 */
public final class InboundFrontendHandler extends ForwardingFrontendHandler {

    /** The header carrying the proven caller identity to the local app. */
    public static final AsciiString CALLER = AsciiString.cached("x-trellis-caller");

    private SpiffeId caller;
    private boolean callerKnown;

    public InboundFrontendHandler(ForwardingContext context) {
        super(context);
    }

    @Override
    protected LocalReply admit(RoutingTable table, HttpRequest request, RequestTarget target) {
        SpiffeId identity = caller();
        request.headers().remove(CALLER);
        if (identity != null) {
            request.headers().set(CALLER, identity.uri());
        }
        Authorization authorization = table.snapshot().inbound().authorization();
        if (authorization.allowAll()) {
            return null;
        }
        if (identity == null) {
            return LocalReply.FORBIDDEN;
        }
        String uri = identity.uri();
        String method = request.method().name();
        for (Authorization.Rule rule : authorization.rules()) {
            if (rule.identity().equals(uri) && pathAllowed(rule, target.path())
                    && (rule.methods().isEmpty() || rule.methods().contains(method))) {
                return null;
            }
        }
        return LocalReply.FORBIDDEN;
    }

    /** A refused caller is counted on the inbound route's meters and, when logging, logged with its identity. */
    @Override
    protected void refused(RoutingTable table, HttpRequest request, LocalReply reply) {
        CompiledRoute inbound = table.inbound();
        inbound.pickTarget().meters().record(reply.status(), 0);
        AccessLog log = context().accessLog();
        if (log.enabled()) {
            SpiffeId identity = caller();
            log.log(new AccessLogEntry(System.currentTimeMillis(), request.method().name(),
                    request.headers().get(HttpHeaderNames.HOST), request.uri(), reply.status(), 0, inbound.name(),
                    null, null, 0, 0, 0, identity == null ? null : identity.uri()));
        }
    }

    private static boolean pathAllowed(Authorization.Rule rule, String path) {
        if (rule.paths().isEmpty()) {
            return true;
        }
        for (String prefix : rule.paths()) {
            if (path.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** The identity the caller's certificate proves, read once per connection or stream. */
    private SpiffeId caller() {
        if (!callerKnown) {
            caller = PeerIdentity.of(connection()).orElse(null);
            callerKnown = true;
        }
        return caller;
    }

    @Override
    protected CompiledRoute route(RoutingTable table, HttpRequest request, RequestTarget target) {
        return table.inbound();
    }
}
