package dev.trellis.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.spec.HeaderMatch;
import dev.trellis.spec.QueryMatch;
import dev.trellis.spec.RouteMatch;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RequestMatcher: compiled route conditions")
class RequestMatcherTest {

    private static HttpRequest request(HttpMethod method, String... headers) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, "/ignored");
        for (int i = 0; i < headers.length; i += 2) {
            request.headers().add(headers[i], headers[i + 1]);
        }
        return request;
    }

    private static final HttpRequest GET = request(HttpMethod.GET);

    @Test
    @DisplayName("GIVEN a prefix WHEN paths start with it or not THEN they match or not")
    void prefix() {
        RequestMatcher matcher = RequestMatcher.of(RouteMatch.pathPrefix("/api"));
        assertThat(matcher.matches(GET, "/api/x", null)).isTrue();
        assertThat(matcher.matches(GET, "/ap", null)).isFalse();
    }

    @Test
    @DisplayName("GIVEN an exact path WHEN the path has more after it THEN no match")
    void exact() {
        RequestMatcher matcher = RequestMatcher.of(RouteMatch.path("/health"));
        assertThat(matcher.matches(GET, "/health", "verbose=1")).isTrue();
        assertThat(matcher.matches(GET, "/health/x", null)).isFalse();
    }

    @Test
    @DisplayName("GIVEN a regex WHEN it matches only part of the path THEN no match (whole path)")
    void regex() {
        RequestMatcher matcher = RequestMatcher.of(RouteMatch.pathRegex("/v[0-9]+/.*"));
        assertThat(matcher.matches(GET, "/v2/items", null)).isTrue();
        assertThat(matcher.matches(GET, "/api/v2/items", null)).isFalse();
    }

    @Test
    @DisplayName("GIVEN header conditions WHEN names differ in case THEN they still match; absent headers fail exact/prefix/regex/present")
    void headers() {
        RequestMatcher matcher = RequestMatcher.of(RouteMatch.ANY.withHeaders(List.of(
                HeaderMatch.exact("X-Env", "prod"), HeaderMatch.prefix("user-agent", "curl/"),
                HeaderMatch.regex("x-id", "[a-f0-9]{4}"), HeaderMatch.present("authorization"))));
        assertThat(matcher.matches(request(HttpMethod.GET, "x-env", "prod", "User-Agent", "curl/8", "x-id", "beef",
                "authorization", "x"), "/", null)).isTrue();
        assertThat(matcher.matches(request(HttpMethod.GET, "x-env", "prod", "User-Agent", "curl/8", "x-id", "beefy",
                "authorization", "x"), "/", null)).isFalse();
        assertThat(matcher.matches(request(HttpMethod.GET, "x-env", "prod", "User-Agent", "curl/8", "x-id", "beef"),
                "/", null)).isFalse();
    }

    @Test
    @DisplayName("GIVEN present: false WHEN the header is there THEN no match")
    void headerAbsent() {
        RequestMatcher matcher = RequestMatcher.of(RouteMatch.ANY.withHeaders(
                List.of(new HeaderMatch("x-canary", null, null, null, false))));
        assertThat(matcher.matches(GET, "/", null)).isTrue();
        assertThat(matcher.matches(request(HttpMethod.GET, "x-canary", "1"), "/", null)).isFalse();
    }

    @Test
    @DisplayName("GIVEN methods WHEN another method comes THEN no match; method names compare upper-cased")
    void methods() {
        RequestMatcher matcher = RequestMatcher.of(RouteMatch.ANY.withMethods(List.of("post", "PUT")));
        assertThat(matcher.matches(request(HttpMethod.POST), "/", null)).isTrue();
        assertThat(matcher.matches(GET, "/", null)).isFalse();
    }

    @Test
    @DisplayName("GIVEN query conditions WHEN parameters are decoded THEN exact and present match, missing ones do not")
    void query() {
        RequestMatcher matcher = RequestMatcher.of(RouteMatch.ANY.withQuery(List.of(
                QueryMatch.exact("variant", "b c"), QueryMatch.present("debug"))));
        assertThat(matcher.matches(GET, "/", "variant=b%20c&debug=")).isTrue();
        assertThat(matcher.matches(GET, "/", "variant=b%20c")).isFalse();
        assertThat(matcher.matches(GET, "/", null)).isFalse();
    }
}
