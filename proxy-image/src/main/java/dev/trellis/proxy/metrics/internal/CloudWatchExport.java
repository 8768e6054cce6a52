package dev.trellis.proxy.metrics.internal;

import io.micrometer.cloudwatch2.CloudWatchConfig;
import io.micrometer.cloudwatch2.CloudWatchMeterRegistry;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;

/** A started CloudWatch push registry over the synchronous client of {@code aws-clients}. */
public final class CloudWatchExport implements AutoCloseable {

    private final CloudWatchMeterRegistry registry;

    private CloudWatchExport(CloudWatchMeterRegistry registry) {
        this.registry = registry;
    }

    /** Starts pushing every {@code step}; the client stays its owner's to close. */
    public static CloudWatchExport start(String namespace, Duration step, CloudWatchClient client) {
        CloudWatchConfig config = new CloudWatchConfig() {
            @Override
            public String get(String key) {
                return null;
            }

            @Override
            public String namespace() {
                return namespace;
            }

            @Override
            public Duration step() {
                return step;
            }
        };
        return new CloudWatchExport(new CloudWatchMeterRegistry(config, Clock.SYSTEM,
                new SynchronousCloudWatchAsyncClient(client)));
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Publishes what the current step holds, then stops. */
    @Override
    public void close() {
        registry.close();
    }
}
