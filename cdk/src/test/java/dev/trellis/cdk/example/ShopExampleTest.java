package dev.trellis.cdk.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trellis.cdk.testing.CfnLint;
import dev.trellis.cdk.testing.Fixtures;
import dev.trellis.cdk.testing.Repository;
import dev.trellis.cdk.testing.SpecParametersOf;
import dev.trellis.spec.MeshSpec;
import dev.trellis.spec.MeshSpecs;
import dev.trellis.spec.SpecParameters;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The example app in process, with its Lambda hooks (the `cdk synth` test covers it as cdk.json runs it). */
class ShopExampleTest {

    @TempDir
    static Path temp;

    static ShopStack stack;
    static Template template;

    @BeforeAll
    static void synthesizeTheShop() {
        App app = new App(AppProps.builder().context(Map.of(
                "trellis:hooksJar", Fixtures.hooksJar(temp).toString())).build());
        stack = ShopApp.build(app);
        template = Template.fromStack(stack);
    }

    @Test
    @DisplayName("GIVEN the shop example WHEN synthesized THEN its SSM parameters read back with SpecParameters.fromParameters as exactly examples/shop/mesh.yaml")
    void contract() {
        Map<String, String> parameters = SpecParametersOf.template(template.toJSON());
        MeshSpec expected = MeshSpecs.normalized(MeshSpecs.read(Repository.root().resolve("examples/shop/mesh.yaml")));

        assertThat(parameters.keySet()).containsExactlyInAnyOrder(
                "/trellis/shop/mesh", "/trellis/shop/services/frontend", "/trellis/shop/services/orders",
                "/trellis/shop/services/payments");
        assertThat(SpecParameters.fromParameters("shop", parameters)).isEqualTo(expected);
        assertThat(parameters).isEqualTo(SpecParameters.toParameters(expected));
    }

    @Test
    @DisplayName("GIVEN the shop example WHEN synthesized THEN each version of each service is a Fargate service with the sidecar, beside the controller's")
    void workloads() {
        template.resourceCountIs("AWS::ECS::Service", 5);
        for (String version : List.of("orders-v1", "orders-v2", "payments-v1", "frontend-v1")) {
            template.hasResourceProperties("AWS::ECS::TaskDefinition", Map.of("ContainerDefinitions", Match.arrayWith(List.of(
                    Match.objectLike(Map.of("Name", "trellis-proxy", "LogConfiguration", Match.objectLike(Map.of(
                            "Options", Match.objectLike(Map.of("awslogs-stream-prefix", version))))))))));
        }
        template.resourceCountIs("AWS::ServiceDiscovery::PrivateDnsNamespace", 1);
        template.resourceCountIs("AWS::ServiceDiscovery::Service", 3);
        template.resourceCountIs("AWS::CloudWatch::Alarm", 9);
        template.resourceCountIs("AWS::Lambda::Function", 3);
    }

    @Test
    @DisplayName("GIVEN the shop with hooks WHEN synthesized THEN the canary hook is given the orders rollout from v1 to v2")
    void ordersRollout() {
        template.hasResourceProperties("AWS::Events::Rule", Map.of(
                "ScheduleExpression", "rate(1 minute)",
                "Targets", List.of(Match.objectLike(Map.of("Input", Match.serializedJson(Map.ofEntries(
                        Map.entry("mesh", "shop"),
                        Map.entry("service", "orders"),
                        Map.entry("route", "canary"),
                        Map.entry("baseline", "v1"),
                        Map.entry("canary", "v2"),
                        Map.entry("steps", List.of(25, 50, 100)),
                        Map.entry("interval", "10m"),
                        Map.entry("minSuccessRate", 0.99),
                        Map.entry("maxP99Latency", "500ms"),
                        Map.entry("minRequests", 100),
                        Map.entry("maxFailedChecks", 1))))))));
    }

    @Test
    @DisplayName("GIVEN the shop's request timeouts WHEN the alarms are synthesized THEN each service's p99 alarm fires at its own timeout")
    void latencyAlarmsAtTheTimeouts() {
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                "AlarmDescription", "p99 latency of orders over 2000.0 ms", "Threshold", 2000));
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                "AlarmDescription", "p99 latency of payments over 1000.0 ms", "Threshold", 1000));
        template.hasResourceProperties("AWS::CloudWatch::Alarm", Map.of(
                "AlarmDescription", "p99 latency of frontend over 15000.0 ms", "Threshold", 15000));
    }

    @Test
    @DisplayName("GIVEN the shop example with hooks WHEN cfn-lint checks its template THEN it finds no error and no warning of ours")
    void cfnLint(@TempDir Path out) {
        assertThat(CfnLint.problems(CfnLint.lint(List.of(CfnLint.write(stack, out))))).isEmpty();
    }
}
