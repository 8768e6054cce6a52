package dev.trellis.cdk.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.cdk.mesh.Mesh;
import dev.trellis.cdk.mesh.MeshNamespace;
import dev.trellis.cdk.mesh.MeshProps;
import dev.trellis.spec.CallerRule;
import dev.trellis.spec.GrpcStatus;
import dev.trellis.spec.HeaderMatch;
import dev.trellis.spec.LoadBalancer;
import dev.trellis.spec.MeshSpecs;
import dev.trellis.spec.Mirror;
import dev.trellis.spec.Protocol;
import dev.trellis.spec.QueryMatch;
import dev.trellis.spec.RetryEvent;
import dev.trellis.spec.RouteMatch;
import dev.trellis.spec.RouteSpec;
import dev.trellis.spec.ServiceSpec;
import dev.trellis.spec.TlsMode;
import dev.trellis.spec.WeightedTarget;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.ec2.Vpc;

class MeshServiceTest {

    static Template http;
    static Template dns;
    static Mesh mesh;

    @BeforeAll
    static void synthesizeOneApp() {
        App app = new App();
        Stack stack = new Stack(app, "Services");
        mesh = new Mesh(stack, "Mesh", MeshProps.builder().meshName("shop").build());
        mesh.addService("Frontend", MeshServiceProps.builder().serviceName("frontend").port(8080).build());
        MeshService catalog = mesh.addService("Catalog", MeshServiceProps.builder()
                .serviceName("catalog")
                .protocol(Protocol.HTTP2)
                .port(9000)
                .versions(List.of("v1", "v2"))
                .routes(List.of(Route.http("search").priority(5)
                        .pathRegex("^/search/[a-z]+$")
                        .header(HeaderMatch.present("x-user"))
                        .methods("GET")
                        .query(QueryMatch.exact("debug", "1"))
                        .target("v2", 1)
                        .timeouts(Timeouts.builder().request(Duration2.seconds(3)).build())
                        .retry(RetryPolicy.none())
                        .mirror("v1", 5)
                        .build()))
                .timeouts(Timeouts.builder()
                        .request(Duration2.seconds(5)).idle(Duration2.minutes(2)).connect(Duration2.millis(250)).build())
                .retryPolicy(RetryPolicy.builder()
                        .attempts(4)
                        .on(RetryEvent.RETRIABLE_STATUS_CODES, RetryEvent.PER_TRY_TIMEOUT)
                        .statusCodes(429, 503)
                        .grpcStatuses(GrpcStatus.UNAVAILABLE)
                        .perTryTimeout(Duration2.millis(800))
                        .backoff(Duration2.millis(20), Duration2.millis(400))
                        .budget(0.1, 5)
                        .build())
                .connectionLimits(ConnectionLimits.builder().maxConnections(64).maxPendingRequests(32).maxRequests(128).build())
                .outlierDetection(OutlierDetection.builder().consecutiveFailures(7).build())
                .loadBalancer(LoadBalancer.EWMA)
                .tls(TlsMode.STRICT)
                .allowedCallers(List.of(AllowedCaller.service("frontend").paths("/catalog").methods("GET")))
                .latencyAlarmThreshold(Duration2.millis(750))
                .successRateAlarmThreshold(99.9)
                .build());
        // Added after construction: must still reach the parameter and the alarms.
        catalog.addRoute(Route.http("rest").target("v1", 1).build());
        catalog.addAllowedCaller(AllowedCaller.service("catalog"));

        Stack dnsStack = new Stack(app, "DnsServices");
        Mesh dnsMesh = new Mesh(dnsStack, "Mesh", MeshProps.builder().meshName("shop")
                .namespace(MeshNamespace.privateDns(Vpc.Builder.create(dnsStack, "Vpc").maxAzs(1).natGateways(0).build()))
                .build());
        dnsMesh.addService("Orders", MeshServiceProps.builder().serviceName("orders").port(8081).build());
        http = Template.fromStack(stack);
        dns = Template.fromStack(dnsStack);
    }

    /** The catalog service as the spec records say it, written without the typed wrappers. */
    static ServiceSpec expectedCatalog() {
        RouteSpec search = new RouteSpec("search", 5,
                new RouteMatch(null, null, "^/search/[a-z]+$", List.of(HeaderMatch.present("x-user")), List.of("GET"),
                        List.of(QueryMatch.exact("debug", "1"))),
                List.of(WeightedTarget.of("v2", 1)),
                new dev.trellis.spec.Timeouts(Duration.ofSeconds(3), null, null),
                dev.trellis.spec.RetryPolicy.NONE, null, null, new Mirror("v1", 5.0));
        RouteSpec rest = RouteSpec.to("rest", null, List.of(WeightedTarget.of("v1", 1)));
        return new ServiceSpec("catalog", Protocol.HTTP2, 9000, List.of("v1", "v2"), List.of(search, rest),
                new dev.trellis.spec.Timeouts(Duration.ofSeconds(5), Duration.ofMinutes(2), Duration.ofMillis(250)),
                new dev.trellis.spec.RetryPolicy(4, List.of(RetryEvent.RETRIABLE_STATUS_CODES, RetryEvent.PER_TRY_TIMEOUT),
                        List.of(429, 503), List.of(GrpcStatus.UNAVAILABLE), Duration.ofMillis(800),
                        new dev.trellis.spec.RetryPolicy.Backoff(Duration.ofMillis(20), Duration.ofMillis(400)),
                        new dev.trellis.spec.RetryPolicy.Budget(0.1, 5)),
                new dev.trellis.spec.ConnectionLimits(64, 32, 128),
                new dev.trellis.spec.OutlierDetection(7, null, null, null),
                LoadBalancer.EWMA, TlsMode.STRICT,
                List.of(new CallerRule("frontend", List.of("/catalog"), List.of("GET")), CallerRule.of("catalog")));
    }

    static String parameterValue(Template template, String name) {
        Map<String, Map<String, Object>> found = template.findResources("AWS::SSM::Parameter",
                Map.of("Properties", Map.of("Name", name)));
        assertThat(found).as("parameter %s", name).hasSize(1);
        @SuppressWarnings("unchecked")
        Map<String, Object> properties = (Map<String, Object>) found.values().iterator().next().get("Properties");
        return (String) properties.get("Value");
    }

    @Test
    @DisplayName("GIVEN a service WHEN synthesized THEN a Cloud Map service of its name in the mesh namespace, with a custom health check")
    void cloudMapService() {
        http.hasResourceProperties("AWS::ServiceDiscovery::Service", Map.of(
                "Name", "catalog",
                "NamespaceId", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^MeshNamespace"), "Id")),
                "HealthCheckCustomConfig", Map.of("FailureThreshold", 1)));
        http.resourceCountIs("AWS::ServiceDiscovery::Service", 2);
    }

    @Test
    @DisplayName("GIVEN a private DNS namespace WHEN a service is synthesized THEN its Cloud Map service also publishes A records")
    void dnsRecords() {
        dns.hasResourceProperties("AWS::ServiceDiscovery::Service", Map.of(
                "Name", "orders",
                "DnsConfig", Match.objectLike(Map.of("DnsRecords", List.of(Map.of("Type", "A", "TTL", 10))))));
    }

    @Test
    @DisplayName("GIVEN typed routes, timeouts, retries, limits, outlier detection, TLS and callers WHEN synthesized THEN the parameter holds exactly the same spec as the records")
    void typedValuesMakeTheSameSpec() {
        String json = parameterValue(http, "/trellis/shop/services/catalog");
        assertThat(MeshSpecs.serviceFromJson(json, "catalog parameter")).isEqualTo(expectedCatalog());
    }

    @Test
    @DisplayName("GIVEN a service with only a name and a port WHEN synthesized THEN its parameter holds the spec's defaults")
    void defaults() {
        String json = parameterValue(http, "/trellis/shop/services/frontend");
        assertThat(MeshSpecs.serviceFromJson(json, "frontend parameter")).isEqualTo(ServiceSpec.of("frontend", 8080));
        http.hasResourceProperties("AWS::SSM::Parameter", Map.of("Name", "/trellis/shop/services/frontend", "Tier", "Standard"));
    }

    @Test
    @DisplayName("GIVEN a service WHEN synthesized THEN a success rate alarm divides its proxies' inbound 5xx responses by their requests")
    void successRateAlarm() {
        http.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                "ComparisonOperator", "LessThanThreshold",
                "Threshold", 99.9,
                "EvaluationPeriods", 3,
                "DatapointsToAlarm", 2,
                "TreatMissingData", "notBreaching",
                "Metrics", Match.arrayWith(List.of(
                        Match.objectLike(Map.of("Expression", "100 * (1 - FILL(errors, 0) / requests)", "ReturnData", true))))));
        Map<String, String> inbound = Map.of("mesh", "shop", "local_service", "catalog", "service", "catalog",
                "route", "inbound", "cluster", "local-app");
        Map<String, String> errors = new java.util.HashMap<>(inbound);
        errors.put("status", "5xx");
        assertThat(metricsOfAlarm("Success rate of catalog under 99.9 %")).containsExactlyInAnyOrder(
                new AlarmMetric("trellis.proxy.request.duration.count", "Sum", inbound),
                new AlarmMetric("trellis.proxy.requests.count", "Sum", errors));
    }

    @Test
    @DisplayName("GIVEN a latency threshold WHEN synthesized THEN a p99 alarm watches the worst p99 of the service's proxies, in milliseconds")
    void latencyAlarm() {
        http.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                "AlarmDescription", "p99 latency of catalog over 750.0 ms",
                "ComparisonOperator", "GreaterThanThreshold",
                "Threshold", 750));
        assertThat(metricsOfAlarm("p99 latency of catalog over 750.0 ms")).containsExactly(
                new AlarmMetric("trellis.proxy.request.duration.percentile.value", "Maximum", Map.of("mesh", "shop",
                        "local_service", "catalog", "service", "catalog", "route", "inbound", "cluster", "local-app", "phi", "0.99")));
    }

    @Test
    @DisplayName("GIVEN a service WHEN synthesized THEN an alarm fires when its proxies' certificates have under 6 h left")
    void certificateExpiryAlarm() {
        String description = "A mesh certificate of catalog expires within 6 h: its proxies cannot renew (is the mesh CA reachable?)";
        http.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                "AlarmDescription", description,
                "ComparisonOperator", "LessThanThreshold",
                "Threshold", 21600,
                "TreatMissingData", "notBreaching"));
        assertThat(metricsOfAlarm(description)).containsExactly(new AlarmMetric(
                "trellis.proxy.certificate.expiry.value", "Minimum", Map.of("mesh", "shop", "local_service", "catalog")));
    }

    /** A metric an alarm reads: its name, statistic and dimensions (in any order). */
    record AlarmMetric(String name, String statistic, Map<String, String> dimensions) {
    }

    @SuppressWarnings("unchecked")
    static List<AlarmMetric> metricsOfAlarm(String description) {
        Map<String, Object> properties = (Map<String, Object>) http.findResources("AWS::CloudWatch::Alarm",
                Map.of("Properties", Map.of("AlarmDescription", description))).values().iterator().next().get("Properties");
        List<AlarmMetric> metrics = new java.util.ArrayList<>();
        if (properties.containsKey("MetricName")) {
            metrics.add(new AlarmMetric((String) properties.get("MetricName"), (String) properties.get("Statistic"),
                    dims((List<Map<String, String>>) properties.get("Dimensions"))));
        }
        for (Map<String, Object> query : (List<Map<String, Object>>) properties.getOrDefault("Metrics", List.of())) {
            Map<String, Object> stat = (Map<String, Object>) query.get("MetricStat");
            if (stat != null) {
                Map<String, Object> metric = (Map<String, Object>) stat.get("Metric");
                metrics.add(new AlarmMetric((String) metric.get("MetricName"), (String) stat.get("Stat"),
                        dims((List<Map<String, String>>) metric.get("Dimensions"))));
            }
        }
        return metrics;
    }

    static Map<String, String> dims(List<Map<String, String>> dimensions) {
        Map<String, String> map = new java.util.HashMap<>();
        dimensions.forEach(d -> map.put(d.get("Name"), d.get("Value")));
        return map;
    }

    @Test
    @DisplayName("GIVEN no latency threshold WHEN synthesized THEN the p99 alarm fires at the service's request timeout")
    void latencyAlarmDefaultsToTheRequestTimeout() {
        http.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                "AlarmDescription", "p99 latency of frontend over 15000.0 ms", "Threshold", 15000));
    }

    @Test
    @DisplayName("GIVEN the mesh's services WHEN synthesized THEN the dashboard has a row per service with the five golden signals")
    void dashboardRows() {
        String body = http.findResources("AWS::CloudWatch::Dashboard").toString();
        for (String title : List.of("catalog: requests", "catalog: success rate", "catalog: p99 latency",
                "catalog: retries", "catalog: ejections", "frontend: requests")) {
            assertThat(body).contains(title);
        }
        assertThat(body).contains("trellis.proxy.request.duration.percentile.value", "trellis.proxy.retries.count",
                "trellis.proxy.outlier.ejections.count",
                "(cluster=\\\"catalog/v1\\\" OR cluster=\\\"catalog/v2\\\")");
    }

    @Test
    @DisplayName("GIVEN alarms(false) WHEN synthesized THEN the service has no alarms")
    void noAlarms() {
        MeshService quiet = freshMesh().addService("Quiet", MeshServiceProps.builder().serviceName("quiet").port(1)
                .alarms(false).build());
        assertThat(quiet.alarms()).isEmpty();
        assertThat(quiet.getNode().tryFindChild("SuccessRateAlarm")).isNull();
    }

    @Test
    @DisplayName("GIVEN a service whose spec JSON outgrows 4 KB WHEN synthesized THEN its parameter moves to the advanced tier")
    void largeSpecGoesToTheAdvancedTier() {
        Mesh mesh = freshMesh();
        List<String> versions = java.util.stream.IntStream.rangeClosed(1, 40).mapToObj(i -> "v" + i).toList();
        List<Route> routes = versions.stream().map(v -> Route.http("to-" + v).pathPrefix("/" + v + "/").target(v, 1).build()).toList();
        mesh.addService("Big", MeshServiceProps.builder().serviceName("big").port(1).versions(versions).routes(routes).build());
        Template template = Template.fromStack(software.amazon.awscdk.Stack.of(mesh));
        String json = parameterValue(template, "/trellis/shop/services/big");
        assertThat(json.length()).isGreaterThan(4096);
        template.hasResourceProperties("AWS::SSM::Parameter", Map.of("Name", "/trellis/shop/services/big", "Tier", "Advanced"));
    }

    // ---- failing cases: each on its own small app, checked by the construct's own validation ----

    static Mesh freshMesh() {
        return new Mesh(new Stack(new App(), "Bad"), "Mesh", MeshProps.builder().meshName("shop").build());
    }

    static MeshServiceProps.Builder orders() {
        return MeshServiceProps.builder().serviceName("orders").port(8081).versions(List.of("v1", "v2"));
    }

    @Test
    @DisplayName("GIVEN a route to a version the service does not have WHEN validated THEN the error names the path, the value and the versions")
    void unknownVersion() {
        MeshService orders = freshMesh().addService("Orders", orders()
                .routes(List.of(Route.http("canary").target("v1", 90).target("v3", 10).build())).build());
        assertThat(orders.getNode().validate())
                .containsExactly("services[orders].routes[0].targets[1].version: v3 (expected: one of v1, v2)");
    }

    @Test
    @DisplayName("GIVEN 11 retry attempts WHEN validated THEN the error shows 11 and the allowed range")
    void tooManyRetries() {
        MeshService orders = freshMesh().addService("Orders", orders()
                .retryPolicy(RetryPolicy.builder().attempts(11).build()).build());
        assertThat(orders.getNode().validate()).singleElement().asString()
                .startsWith("services[orders].retry.attempts: 11 (expected: ");
    }

    @Test
    @DisplayName("GIVEN a caller that is not a service of the mesh WHEN validated THEN the error names the caller")
    void unknownCaller() {
        MeshService orders = freshMesh().addService("Orders", orders()
                .allowedCallers(List.of(AllowedCaller.service("ghost"))).build());
        assertThat(orders.getNode().validate()).singleElement().asString()
                .startsWith("services[orders].allowedCallers[0].service: ghost (expected: ");
    }

    @Test
    @DisplayName("GIVEN a tcp service with a path match WHEN validated THEN the spec module's tcp rule is reported")
    void tcpWithMatch() {
        MeshService db = freshMesh().addService("Db", MeshServiceProps.builder().serviceName("db").port(5432)
                .protocol(Protocol.TCP)
                .routes(List.of(Route.tcp("all").pathPrefix("/x").target("v1", 1).build())).build());
        assertThat(db.getNode().validate())
                .containsExactly("services[db].routes[0].match: a request match (expected: no match for a tcp service (only targets))");
    }

    @Test
    @DisplayName("GIVEN a problem in one service WHEN validated THEN only that service reports it, not the mesh or its neighbours")
    void problemsReportWhereTheyBelong() {
        Mesh mesh = freshMesh();
        MeshService frontend = mesh.addService("Frontend", MeshServiceProps.builder().serviceName("frontend").port(8080).build());
        MeshService orders = mesh.addService("Orders", orders()
                .routes(List.of(Route.http("canary").target("v9", 1).build())).build());
        assertThat(orders.getNode().validate()).hasSize(1);
        assertThat(frontend.getNode().validate()).isEmpty();
        assertThat(mesh.getNode().validate()).isEmpty();
    }

    @Test
    @DisplayName("GIVEN a service without a port WHEN validated THEN the spec module's missing-port problem is reported")
    void missingPort() {
        MeshService orders = freshMesh().addService("Orders", MeshServiceProps.builder().serviceName("orders").build());
        assertThat(orders.getNode().validate()).singleElement().asString().startsWith("services[orders]").contains("port");
    }

    @Test
    @DisplayName("GIVEN a service name with upper-case letters WHEN the service is created THEN it fails naming the value and the spec's rule")
    void invalidServiceName() {
        Mesh mesh = freshMesh();
        assertThatThrownBy(() -> mesh.addService("Orders", MeshServiceProps.builder().serviceName("Orders").port(1).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("serviceName: services[Orders].name: Orders (expected: lower-case letters, digits and '-', starting with a letter, at most 63)");
    }

    @Test
    @DisplayName("GIVEN props without a mesh and a scope that is not a mesh WHEN the service is created THEN it fails saying a mesh is expected")
    void noMesh() {
        Stack stack = new Stack(new App(), "Bad");
        assertThatThrownBy(() -> new MeshService(stack, "Orders", orders().build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("MeshServiceProps.mesh: null (expected: the Mesh the service belongs to");
    }

    @Test
    @DisplayName("GIVEN a service whose callers were left to the default policy WHEN a caller is added THEN it fails rather than closing the service")
    void addCallerWithoutList() {
        MeshService orders = freshMesh().addService("Orders", orders().build());
        assertThatThrownBy(() -> orders.addAllowedCaller(AllowedCaller.service("frontend")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("allowedCallers: unset (expected: a list in MeshServiceProps");
    }

    /** CDK's Duration, named apart from java.time's. */
    static final class Duration2 {
        static software.amazon.awscdk.Duration seconds(int s) {
            return software.amazon.awscdk.Duration.seconds(s);
        }

        static software.amazon.awscdk.Duration minutes(int m) {
            return software.amazon.awscdk.Duration.minutes(m);
        }

        static software.amazon.awscdk.Duration millis(int ms) {
            return software.amazon.awscdk.Duration.millis(ms);
        }
    }
}
