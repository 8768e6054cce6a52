package dev.trellis.cloudmap.testing;

import dev.trellis.cloudmap.registrar.CloudMapApi;
import dev.trellis.cloudmap.registrar.CloudMapInstance;
import dev.trellis.cloudmap.registrar.CloudMapService;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.servicediscovery.model.ServiceDiscoveryException;

/**
 * Wraps a real {@link CloudMapApi} and fails the next {@code n} write calls (register, deregister,
 * set health) with the exception Cloud Map sends when it throttles: HTTP 400, code
 * {@code ThrottlingException}. Reads pass through.
 */
public final class ThrottlingCloudMapApi implements CloudMapApi {

    private final CloudMapApi delegate;
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private final AtomicInteger throttled = new AtomicInteger();

    public ThrottlingCloudMapApi(CloudMapApi delegate) {
        this.delegate = delegate;
    }

    /** The next {@code count} writes fail. */
    public void throttleNextWrites(int count) {
        failuresLeft.set(count);
    }

    /** How many calls were refused so far. */
    public int throttledCalls() {
        return throttled.get();
    }

    public static ServiceDiscoveryException throttling() {
        return (ServiceDiscoveryException) ServiceDiscoveryException.builder()
                .statusCode(400)
                .message("Rate exceeded")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("ThrottlingException")
                        .errorMessage("Rate exceeded").serviceName("ServiceDiscovery").build())
                .build();
    }

    private <T> T write(Supplier<T> call) {
        if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throttled.incrementAndGet();
            throw throttling();
        }
        return call.get();
    }

    @Override
    public Optional<String> findNamespaceId(String namespaceName) {
        return delegate.findNamespaceId(namespaceName);
    }

    @Override
    public List<CloudMapService> listServices(String namespaceId) {
        return delegate.listServices(namespaceId);
    }

    @Override
    public String createService(String namespaceId, String name, String description) {
        return write(() -> delegate.createService(namespaceId, name, description));
    }

    @Override
    public Optional<CloudMapInstance> getInstance(String serviceId, String instanceId) {
        return delegate.getInstance(serviceId, instanceId);
    }

    @Override
    public List<CloudMapInstance> listInstances(String serviceId) {
        return delegate.listInstances(serviceId);
    }

    @Override
    public String registerInstance(String serviceId, String instanceId, Map<String, String> attributes) {
        return write(() -> delegate.registerInstance(serviceId, instanceId, attributes));
    }

    @Override
    public Optional<String> deregisterInstance(String serviceId, String instanceId) {
        return write(() -> delegate.deregisterInstance(serviceId, instanceId));
    }

    @Override
    public Map<String, String> healthStatuses(String serviceId) {
        return delegate.healthStatuses(serviceId);
    }

    @Override
    public void setCustomHealthStatus(String serviceId, String instanceId, boolean healthy) {
        write(() -> {
            delegate.setCustomHealthStatus(serviceId, instanceId, healthy);
            return null;
        });
    }
}
