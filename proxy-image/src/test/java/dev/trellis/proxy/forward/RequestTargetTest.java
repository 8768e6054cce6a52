package dev.trellis.proxy.forward;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RequestTarget: origin and absolute forms")
class RequestTargetTest {

    private static HttpRequest request(String uri, String host) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
        if (host != null) {
            request.headers().set("host", host);
        }
        return request;
    }

    @Test
    @DisplayName("GIVEN origin form WHEN parsed THEN the authority is the Host header and path and query split")
    void originForm() {
        assertThat(RequestTarget.parse(request("/a/b?x=1#frag", "orders:8081")))
                .isEqualTo(new RequestTarget("orders:8081", "/a/b", "x=1", false));
    }

    @Test
    @DisplayName("GIVEN absolute form WHEN parsed THEN the authority comes from the URI (userinfo dropped) and origin form is rebuilt")
    void absoluteForm() {
        RequestTarget target = RequestTarget.parse(request("http://user@orders:8081/a?x=1", "ignored"));

        assertThat(target).isEqualTo(new RequestTarget("orders:8081", "/a", "x=1", true));
        assertThat(target.originForm()).isEqualTo("/a?x=1");
    }

    @Test
    @DisplayName("GIVEN absolute form without a path WHEN parsed THEN the path is /")
    void absoluteWithoutPath() {
        assertThat(RequestTarget.parse(request("http://orders", null)).originForm()).isEqualTo("/");
        assertThat(RequestTarget.parse(request("http://orders?q", null)).originForm()).isEqualTo("/?q");
    }

    @Test
    @DisplayName("GIVEN targets that are neither form WHEN parsed THEN null (the caller gets 400)")
    void malformed() {
        assertThat(RequestTarget.parse(request("orders/a", null))).isNull();
        assertThat(RequestTarget.parse(request("ftp://orders/a", null))).isNull();
        assertThat(RequestTarget.parse(request("http:///a", null))).isNull();
    }
}
