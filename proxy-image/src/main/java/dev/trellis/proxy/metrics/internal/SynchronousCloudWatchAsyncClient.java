package dev.trellis.proxy.metrics.internal;

import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricDataResponse;

/**
 * The one operation Micrometer's CloudWatch registry calls ({@code PutMetricData}), served by the
 * synchronous client. The registry publishes from its own scheduler thread, so a blocking call
 * there is fine, and the sidecar avoids a second HTTP stack (netty-nio-client) just for metrics.
 * Every other operation keeps the interface's default: {@link UnsupportedOperationException}.
 */
final class SynchronousCloudWatchAsyncClient implements CloudWatchAsyncClient {

    private final CloudWatchClient client;

    SynchronousCloudWatchAsyncClient(CloudWatchClient client) {
        this.client = client;
    }

    @Override
    public CompletableFuture<PutMetricDataResponse> putMetricData(PutMetricDataRequest request) {
        try {
            return CompletableFuture.completedFuture(client.putMetricData(request));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public String serviceName() {
        return SERVICE_NAME;
    }

    /** The client belongs to {@code AwsClients}, which closes it. */
    @Override
    public void close() {
    }
}
