package dev.trellis.testing.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.aws.AwsClients;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.servicediscovery.model.NamespaceSummary;

@WithAwsEmulator
class AwsEmulatorTest {

    private final AwsEmulator injectedIntoConstructor;

    AwsEmulatorTest(AwsEmulator aws) {
        this.injectedIntoConstructor = aws;
    }

    @Test
    @DisplayName("GIVEN the extension WHEN an AwsEmulator is injected THEN it is moto on loopback in us-east-1, the same object everywhere")
    void describesTheRunningEmulator(AwsEmulator aws) {
        assertThat(aws).isSameAs(injectedIntoConstructor);
        assertThat(aws.backend()).isEqualTo(AwsEmulator.Backend.MOTO);
        assertThat(aws.endpoint().getHost()).isEqualTo("127.0.0.1");
        assertThat(aws.endpoint().getPort()).isPositive();
        assertThat(aws.region()).isEqualTo("us-east-1");
        assertThat(aws.clients().endpointOverride()).contains(aws.endpoint());
    }

    @Test
    @DisplayName("GIVEN a namespace made through the emulator's clients WHEN AwsClients.fromEnvironment(aws.environment()) lists namespaces THEN it sees it")
    void environmentPointsTheFactoryAtTheEmulator(AwsEmulator aws) {
        aws.reset();
        aws.clients().serviceDiscovery().createHttpNamespace(r -> r.name("from.env"));

        try (AwsClients fromEnvironment = AwsClients.fromEnvironment(aws.environment())) {
            assertThat(fromEnvironment.endpointOverride()).contains(aws.endpoint());
            assertThat(fromEnvironment.serviceDiscovery().listNamespaces(r -> {}).namespaces())
                    .extracting(NamespaceSummary::name)
                    .containsExactly("from.env");
        }
    }

    @Test
    @DisplayName("GIVEN a parameter in SSM WHEN reset() is called THEN it is gone")
    void resetWipesState(AwsEmulator aws) {
        aws.clients().ssm().putParameter(r -> r.name("/trellis/demo/spec").value("{}").type("String"));

        aws.reset();

        assertThat(aws.clients().ssm().describeParameters(r -> {}).parameters()).isEmpty();
    }

    @Test
    @DisplayName("GIVEN the emulator WHEN STS GetCallerIdentity is called THEN moto answers with its account")
    void stsAnswers(AwsEmulator aws) {
        assertThat(aws.clients().sts().getCallerIdentity().account()).isEqualTo("123456789012");
    }

    @Test
    @DisplayName("GIVEN a metric put through CloudWatch WHEN metrics are listed THEN moto returns it"
            + " (the SDK below 2.40.6 still speaks the query protocol moto understands)")
    void cloudWatchMetricsRoundTrip(AwsEmulator aws) {
        aws.clients().cloudWatch().putMetricData(r -> r.namespace("Trellis/Proxy")
                .metricData(m -> m.metricName("requests").value(1.0)
                        .dimensions(d -> d.name("service").value("orders"))));

        assertThat(aws.clients().cloudWatch().listMetrics(r -> r.namespace("Trellis/Proxy")).metrics())
                .singleElement()
                .satisfies(metric -> assertThat(metric.metricName()).isEqualTo("requests"));
    }

    @Test
    @DisplayName("GIVEN zero describes per step WHEN setting the ECS task transition THEN it fails naming the value")
    void transitionNeedsAtLeastOneDescribe(AwsEmulator aws) {
        assertThatThrownBy(() -> aws.setEcsTaskTransitionManual(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("describesPerStep: 0 (expected: 1 or more)");
    }
}
