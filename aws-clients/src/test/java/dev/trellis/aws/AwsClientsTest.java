package dev.trellis.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.regions.Region;

class AwsClientsTest {

    private static final String NO_REGION =
            "region: null (expected: an AWS region such as us-east-1, from AWS_REGION or the builder)";
    private static final StaticCredentialsProvider TEST_CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));

    @Nested
    class Validation {

        @Test
        @DisplayName("GIVEN a builder without a region WHEN built THEN it fails naming the region, the value and what was expected")
        void missingRegion() {
            assertThatThrownBy(() -> AwsClients.builder().credentialsProvider(TEST_CREDENTIALS).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(NO_REGION);
        }

        @Test
        @DisplayName("GIVEN an environment without AWS_REGION or AWS_DEFAULT_REGION WHEN read THEN it fails with the region message")
        void missingRegionInEnvironment() {
            assertThatThrownBy(() -> AwsClients.fromEnvironment(Map.of("AWS_REGION", " ")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(NO_REGION);
        }

        @Test
        @DisplayName("GIVEN a region that is not a region name WHEN built THEN the message quotes the value received")
        void malformedRegion() {
            assertThatThrownBy(() -> AwsClients.builder().region("US East 1").build())
                    .hasMessage("region: \"US East 1\" (expected: an AWS region such as us-east-1,"
                            + " from AWS_REGION or the builder)");
        }

        @Test
        @DisplayName("GIVEN an endpoint override that is not an http(s) URI WHEN built THEN it fails naming it")
        void nonHttpEndpoint() {
            assertThatThrownBy(() -> AwsClients.builder().region("us-east-1")
                    .endpointOverride(URI.create("ftp://127.0.0.1:21")).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("endpointOverride: \"ftp://127.0.0.1:21\" (expected: an absolute http or https URI"
                            + " such as http://127.0.0.1:5000, from AWS_ENDPOINT_URL or the builder)");
        }

        @Test
        @DisplayName("GIVEN AWS_ENDPOINT_URL that is not a URI WHEN read THEN it fails naming the endpoint")
        void unparsableEndpointInEnvironment() {
            assertThatThrownBy(() -> AwsClients.fromEnvironment(
                    Map.of("AWS_REGION", "us-east-1", "AWS_ENDPOINT_URL", "http://127.0.0.1:5000/a b")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("endpointOverride: \"http://127.0.0.1:5000/a b\" (expected:");
        }

        @Test
        @DisplayName("GIVEN zero attempts WHEN built THEN it fails with the accepted range")
        void zeroAttempts() {
            assertThatThrownBy(() -> AwsClients.builder().region("us-east-1").maxAttempts(0).build())
                    .hasMessage("maxAttempts: 0 (expected: 1..10)");
        }
    }

    @Nested
    class Environment {

        @Test
        @DisplayName("GIVEN AWS_REGION and AWS_DEFAULT_REGION WHEN read THEN AWS_REGION wins")
        void awsRegionWins() {
            try (AwsClients aws = AwsClients.fromEnvironment(
                    Map.of("AWS_REGION", "eu-west-1", "AWS_DEFAULT_REGION", "us-west-2"))) {
                assertThat(aws.region()).isEqualTo(Region.EU_WEST_1);
                assertThat(aws.endpointOverride()).isEmpty();
            }
        }

        @Test
        @DisplayName("GIVEN only AWS_DEFAULT_REGION WHEN read THEN it is the region")
        void defaultRegionFallback() {
            try (AwsClients aws = AwsClients.fromEnvironment(Map.of("AWS_DEFAULT_REGION", "us-west-2"))) {
                assertThat(aws.region()).isEqualTo(Region.US_WEST_2);
            }
        }

        @Test
        @DisplayName("GIVEN keys and a session token in the variables WHEN read THEN clients sign with them")
        void credentialsFromVariables() {
            try (AwsClients aws = AwsClients.fromEnvironment(Map.of("AWS_REGION", "us-east-1",
                    "AWS_ACCESS_KEY_ID", "AKID", "AWS_SECRET_ACCESS_KEY", "SECRET", "AWS_SESSION_TOKEN", "TOKEN"))) {
                assertThat(aws.credentialsProvider().resolveCredentials())
                        .isEqualTo(AwsSessionCredentials.create("AKID", "SECRET", "TOKEN"));
            }
        }

        @Test
        @DisplayName("GIVEN no keys in the variables WHEN read THEN the SDK's default credentials chain is used")
        void defaultChainWithoutKeys() {
            try (AwsClients aws = AwsClients.fromEnvironment(Map.of("AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "AKID"))) {
                assertThat(aws.credentialsProvider()).isInstanceOf(DefaultCredentialsProvider.class);
            }
        }

        @Test
        @DisplayName("GIVEN AWS_ENDPOINT_URL WHEN a Cloud Map DiscoverInstances is sent THEN it reaches that endpoint, with no data- host prefix")
        void endpointOverrideWithoutHostPrefix() {
            try (RecordingAwsEndpoint endpoint = new RecordingAwsEndpoint("{\"Instances\":[]}");
                 AwsClients aws = AwsClients.fromEnvironment(Map.of(
                         "AWS_REGION", "us-east-1",
                         "AWS_ENDPOINT_URL", endpoint.uri().toString(),
                         "AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test"))) {

                var response = aws.serviceDiscovery().discoverInstances(r -> r.namespaceName("mesh").serviceName("orders"));

                assertThat(response.instances()).isEmpty();
                assertThat(aws.endpointOverride()).contains(endpoint.uri());
                assertThat(endpoint.requests()).containsExactly(new RecordingAwsEndpoint.Request(
                        endpoint.uri().getAuthority(), "Route53AutoNaming_v20170314.DiscoverInstances"));
            }
        }
    }

    @Nested
    class Retries {

        @Test
        @DisplayName("GIVEN an endpoint that fails once with 500 WHEN called with the default attempts THEN the call is retried and succeeds")
        void retriesServerErrors() {
            try (RecordingAwsEndpoint endpoint = new RecordingAwsEndpoint("{\"Instances\":[]}");
                 AwsClients aws = emulatorClients(endpoint, AwsClients.DEFAULT_MAX_ATTEMPTS)) {
                endpoint.thenAnswer(500, "{\"__type\":\"InternalFailure\",\"message\":\"boom\"}");

                aws.serviceDiscovery().discoverInstances(r -> r.namespaceName("mesh").serviceName("orders"));

                assertThat(endpoint.requests()).hasSize(2);
            }
        }

        @Test
        @DisplayName("GIVEN maxAttempts 1 WHEN the endpoint fails with 500 THEN the error surfaces after one request")
        void oneAttemptMeansNoRetry() {
            try (RecordingAwsEndpoint endpoint = new RecordingAwsEndpoint("{\"Instances\":[]}");
                 AwsClients aws = emulatorClients(endpoint, 1)) {
                endpoint.thenAnswer(500, "{\"__type\":\"InternalFailure\",\"message\":\"boom\"}");

                assertThatThrownBy(() -> aws.serviceDiscovery()
                        .discoverInstances(r -> r.namespaceName("mesh").serviceName("orders")))
                        .isInstanceOf(SdkServiceException.class)
                        .satisfies(e -> assertThat(((SdkServiceException) e).statusCode()).isEqualTo(500));
                assertThat(endpoint.requests()).hasSize(1);
            }
        }

        private AwsClients emulatorClients(RecordingAwsEndpoint endpoint, int maxAttempts) {
            return AwsClients.builder()
                    .region("us-east-1")
                    .credentialsProvider(TEST_CREDENTIALS)
                    .endpointOverride(endpoint.uri())
                    .maxAttempts(maxAttempts)
                    .build();
        }
    }

    @Nested
    class Lifecycle {

        @Test
        @DisplayName("GIVEN a factory WHEN a client is asked for twice THEN the same cached instance comes back")
        void clientsAreCached() {
            try (AwsClients aws = AwsClients.builder().region("us-east-1").credentialsProvider(TEST_CREDENTIALS).build()) {
                assertThat(aws.ecs()).isSameAs(aws.ecs());
                assertThat(aws.serviceDiscovery()).isSameAs(aws.serviceDiscovery());
            }
        }

        @Test
        @DisplayName("GIVEN a factory WHEN each client is built THEN each is configured with the factory's region")
        void everyClientIsBuilt() {
            try (AwsClients aws = AwsClients.builder().region(Region.EU_CENTRAL_1).credentialsProvider(TEST_CREDENTIALS).build()) {
                assertThat(java.util.List.of(aws.serviceDiscovery(), aws.ecs(), aws.ssm(), aws.sts(),
                        aws.secretsManager(), aws.kms(), aws.cloudWatch(), aws.eks()))
                        .allSatisfy(client -> assertThat(client.serviceClientConfiguration().region())
                                .isEqualTo(Region.EU_CENTRAL_1));
            }
        }

        @Test
        @DisplayName("GIVEN a closed factory WHEN a client is asked for THEN it fails saying it is closed, and closing again is harmless")
        void closedFactoryRefusesClients() {
            AwsClients aws = AwsClients.builder().region("us-east-1").credentialsProvider(TEST_CREDENTIALS).build();
            aws.sts();
            aws.close();
            aws.close();

            assertThatThrownBy(aws::kms)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("AwsClients is closed: AwsClients{region=us-east-1}");
        }
    }
}
