package dev.trellis.aws;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkClient;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.eks.EksClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * The one place where Trellis builds AWS SDK for Java v2 clients.
 *
 * <p>Every client shares one region, one credentials provider, one optional endpoint override and
 * one {@code url-connection-client} HTTP client (fast start, no Netty or Apache HTTP on the class
 * path, suited to Lambda). Each client is built on first use and cached, so asking twice returns
 * the same instance; {@link #close()} closes every client this factory built, the shared HTTP
 * client, and the credentials provider if this factory created it.
 *
 * <p>Against AWS:
 *
 * <pre>{@code
 * try (AwsClients aws = AwsClients.fromEnvironment()) {
 *     aws.serviceDiscovery().listNamespaces(r -> {});
 * }
 * }</pre>
 *
 * <p>Explicitly, for example against an emulator:
 *
 * <pre>{@code
 * AwsClients aws = AwsClients.builder()
 *         .region("us-east-1")
 *         .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
 *         .endpointOverride(URI.create("http://127.0.0.1:5000"))
 *         .build();
 * }</pre>
 *
 * <p>With an endpoint override every client talks to that one URI, and host-prefix injection is
 * turned off ({@link SdkAdvancedClientOption#DISABLE_HOST_PREFIX_INJECTION}), because otherwise
 * operations such as Cloud Map's {@code DiscoverInstances} would go to {@code data-127.0.0.1}.
 *
 * <p>Retries use the SDK's standard strategy ({@link AwsRetryStrategy#standardRetryStrategy()}):
 * exponential backoff with jitter, a longer backoff for throttling errors, and a token bucket that
 * stops retry storms; {@value #DEFAULT_MAX_ATTEMPTS} attempts unless {@link Builder#maxAttempts}
 * says otherwise.
 *
 * <p>Instances are thread-safe.
 */
public final class AwsClients implements AutoCloseable {

    /** Environment variable read first for the region. */
    public static final String ENV_REGION = "AWS_REGION";
    /** Environment variable read for the region when {@value #ENV_REGION} is not set. */
    public static final String ENV_DEFAULT_REGION = "AWS_DEFAULT_REGION";
    /** Environment variable that points every client at one endpoint, such as an emulator. */
    public static final String ENV_ENDPOINT_URL = "AWS_ENDPOINT_URL";
    /** Environment variable with the access key id, read by {@link #fromEnvironment(Map)}. */
    public static final String ENV_ACCESS_KEY_ID = "AWS_ACCESS_KEY_ID";
    /** Environment variable with the secret access key, read by {@link #fromEnvironment(Map)}. */
    public static final String ENV_SECRET_ACCESS_KEY = "AWS_SECRET_ACCESS_KEY";
    /** Environment variable with the session token, read by {@link #fromEnvironment(Map)}. */
    public static final String ENV_SESSION_TOKEN = "AWS_SESSION_TOKEN";
    /** Attempts per call (first try included) unless the builder says otherwise. */
    public static final int DEFAULT_MAX_ATTEMPTS = 3;

    private static final Pattern REGION_NAME = Pattern.compile("[a-z]{2,}(-[a-z0-9]+)+");
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(30);

    private final Region region;
    private final AwsCredentialsProvider credentialsProvider;
    private final boolean ownsCredentialsProvider;
    private final URI endpointOverride;
    private final int maxAttempts;
    private final SdkHttpClient httpClient;

    /** Clients built so far by type, in build order; guarded by {@code this}. */
    private final Map<Class<?>, SdkClient> clients = new LinkedHashMap<>();
    private boolean closed;

    private AwsClients(Builder builder) {
        this.region = Region.of(builder.region);
        this.ownsCredentialsProvider = builder.credentialsProvider == null;
        this.credentialsProvider = ownsCredentialsProvider
                ? DefaultCredentialsProvider.builder().build()
                : builder.credentialsProvider;
        this.endpointOverride = builder.endpointOverride;
        this.maxAttempts = builder.maxAttempts;
        this.httpClient = UrlConnectionHttpClient.builder()
                .connectionTimeout(CONNECT_TIMEOUT)
                .socketTimeout(SOCKET_TIMEOUT)
                .build();
    }

    /**
     * Clients for the region in {@code AWS_REGION} (or {@code AWS_DEFAULT_REGION}), pointed at
     * {@code AWS_ENDPOINT_URL} when that is set. Credentials: the keys in {@code AWS_ACCESS_KEY_ID},
     * {@code AWS_SECRET_ACCESS_KEY} (and {@code AWS_SESSION_TOKEN}) when set, as on Lambda;
     * otherwise the SDK's default credentials chain (profiles, web identity, ECS container
     * credentials, EC2 instance metadata), which this factory closes with itself.
     *
     * @throws IllegalArgumentException if no region is set or a value is malformed
     */
    public static AwsClients fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /**
     * Like {@link #fromEnvironment()}, reading the given variables instead of the process
     * environment: for tests, and for code that hands a workload its own environment.
     *
     * @throws IllegalArgumentException if no region is set or a value is malformed
     */
    public static AwsClients fromEnvironment(Map<String, String> environment) {
        Objects.requireNonNull(environment, "environment");
        Builder builder = builder().region(firstNonBlank(
                environment.get(ENV_REGION), environment.get(ENV_DEFAULT_REGION)));
        String endpoint = environment.get(ENV_ENDPOINT_URL);
        if (endpoint != null && !endpoint.isBlank()) {
            builder.endpointOverride(parseEndpoint(endpoint.strip()));
        }
        String accessKey = environment.get(ENV_ACCESS_KEY_ID);
        String secretKey = environment.get(ENV_SECRET_ACCESS_KEY);
        if (accessKey != null && !accessKey.isBlank() && secretKey != null && !secretKey.isBlank()) {
            String sessionToken = environment.get(ENV_SESSION_TOKEN);
            builder.credentialsProvider(StaticCredentialsProvider.create(
                    sessionToken == null || sessionToken.isBlank()
                            ? AwsBasicCredentials.create(accessKey, secretKey)
                            : AwsSessionCredentials.create(accessKey, secretKey, sessionToken)));
        }
        return builder.build();
    }

    /** A builder for explicit use; only the region is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The region every client uses. */
    public Region region() {
        return region;
    }

    /** The credentials provider every client uses. */
    public AwsCredentialsProvider credentialsProvider() {
        return credentialsProvider;
    }

    /** The endpoint every client talks to instead of the AWS one, if any. */
    public Optional<URI> endpointOverride() {
        return Optional.ofNullable(endpointOverride);
    }

    /** AWS Cloud Map. */
    public ServiceDiscoveryClient serviceDiscovery() {
        return client(ServiceDiscoveryClient.class, ServiceDiscoveryClient::builder);
    }

    /** Amazon ECS. */
    public EcsClient ecs() {
        return client(EcsClient.class, EcsClient::builder);
    }

    /** AWS Systems Manager (Parameter Store). */
    public SsmClient ssm() {
        return client(SsmClient.class, SsmClient::builder);
    }

    /** AWS STS. */
    public StsClient sts() {
        return client(StsClient.class, StsClient::builder);
    }

    /** AWS Secrets Manager. */
    public SecretsManagerClient secretsManager() {
        return client(SecretsManagerClient.class, SecretsManagerClient::builder);
    }

    /** AWS KMS. */
    public KmsClient kms() {
        return client(KmsClient.class, KmsClient::builder);
    }

    /** Amazon CloudWatch (metrics and alarms). */
    public CloudWatchClient cloudWatch() {
        return client(CloudWatchClient.class, CloudWatchClient::builder);
    }

    /** Amazon EKS. */
    public EksClient eks() {
        return client(EksClient.class, EksClient::builder);
    }

    /**
     * Closes every client this factory built, the shared HTTP client, and the credentials
     * provider if this factory created it. Idempotent; asking for a client afterwards fails.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        List<AutoCloseable> toClose = new ArrayList<>(clients.values());
        toClose.add(httpClient);
        if (ownsCredentialsProvider && credentialsProvider instanceof SdkAutoCloseable) {
            toClose.add((SdkAutoCloseable) credentialsProvider);
        }
        for (AutoCloseable closeable : toClose) {
            try {
                closeable.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("closing AWS clients failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        clients.clear();
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "AwsClients{region=" + region
                + (endpointOverride == null ? "" : ", endpointOverride=" + endpointOverride) + "}";
    }

    private synchronized <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C extends SdkClient> C client(
            Class<C> type, Supplier<B> newBuilder) {
        SdkClient existing = clients.get(type);
        if (existing != null) {
            return type.cast(existing);
        }
        if (closed) {
            throw new IllegalStateException("AwsClients is closed: " + this);
        }
        ClientOverrideConfiguration.Builder override = ClientOverrideConfiguration.builder()
                .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .maxAttempts(maxAttempts)
                        .build());
        B builder = newBuilder.get()
                .region(region)
                .credentialsProvider(credentialsProvider)
                .httpClient(httpClient);
        if (endpointOverride != null) {
            builder.endpointOverride(endpointOverride);
            override.putAdvancedOption(SdkAdvancedClientOption.DISABLE_HOST_PREFIX_INJECTION, Boolean.TRUE);
        }
        C client = builder.overrideConfiguration(override.build()).build();
        clients.put(type, client);
        return client;
    }

    private static String firstNonBlank(String first, String second) {
        if (first != null && !first.isBlank()) {
            return first.strip();
        }
        return second == null || second.isBlank() ? null : second.strip();
    }

    private static URI parseEndpoint(String value) {
        try {
            return new URI(value);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException(endpointError(value), e);
        }
    }

    private static String endpointError(Object value) {
        return "endpointOverride: " + quote(value)
                + " (expected: an absolute http or https URI such as http://127.0.0.1:5000,"
                + " from AWS_ENDPOINT_URL or the builder)";
    }

    private static String quote(Object value) {
        return value == null ? "null" : "\"" + value + "\"";
    }

    /**
     * Builds an {@link AwsClients}. Not thread-safe; {@link #build()} validates and names the
     * offending setting and the value received.
     */
    public static final class Builder {
        private String region;
        private AwsCredentialsProvider credentialsProvider;
        private URI endpointOverride;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;

        private Builder() {
        }

        /** The region, such as {@code us-east-1}. Required. */
        public Builder region(String region) {
            this.region = region;
            return this;
        }

        /** The region. Required. */
        public Builder region(Region region) {
            this.region = region == null ? null : region.id();
            return this;
        }

        /**
         * The credentials provider; the SDK's default chain when not set (or set to {@code null}).
         * A provider given here is not closed by {@link AwsClients#close()}.
         */
        public Builder credentialsProvider(AwsCredentialsProvider credentialsProvider) {
            this.credentialsProvider = credentialsProvider;
            return this;
        }

        /** One endpoint for every client (an emulator); {@code null} for the AWS endpoints. */
        public Builder endpointOverride(URI endpointOverride) {
            this.endpointOverride = endpointOverride;
            return this;
        }

        /** Attempts per call including the first, 1 (no retries) to 10; default {@value #DEFAULT_MAX_ATTEMPTS}. */
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * Validates the settings and returns the factory; no client is built yet.
         *
         * @throws IllegalArgumentException naming the setting, the value received and what was expected
         */
        public AwsClients build() {
            if (region == null || !REGION_NAME.matcher(region).matches()) {
                throw new IllegalArgumentException("region: " + quote(region)
                        + " (expected: an AWS region such as us-east-1, from AWS_REGION or the builder)");
            }
            if (endpointOverride != null && (!endpointOverride.isAbsolute()
                    || endpointOverride.getHost() == null
                    || !("http".equalsIgnoreCase(endpointOverride.getScheme())
                            || "https".equalsIgnoreCase(endpointOverride.getScheme())))) {
                throw new IllegalArgumentException(endpointError(endpointOverride));
            }
            if (maxAttempts < 1 || maxAttempts > 10) {
                throw new IllegalArgumentException("maxAttempts: " + maxAttempts + " (expected: 1..10)");
            }
            return new AwsClients(this);
        }
    }
}
