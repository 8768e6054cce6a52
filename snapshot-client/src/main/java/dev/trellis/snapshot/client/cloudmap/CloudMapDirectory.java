package dev.trellis.snapshot.client.cloudmap;

import java.util.List;
import software.amazon.awssdk.services.servicediscovery.ServiceDiscoveryClient;

/**
 * The instances of one mesh service as Cloud Map knows them, healthy or not. The one Cloud Map
 * call a proxy makes (and the controller's Cloud Map registry), behind an interface so that
 * callers can be tested without the SDK.
 */
@FunctionalInterface
public interface CloudMapDirectory {

    /**
     * @param namespace the Cloud Map namespace's name, e.g. {@code shop.local}
     * @param service the mesh service, which is the Cloud Map service's name
     * @return every instance with a usable address, empty when the service has none
     * @throws RuntimeException when Cloud Map cannot be asked (the SDK's exceptions)
     */
    List<DiscoveredInstance> discover(String namespace, String service);

    /** Reads with {@code DiscoverInstances}, every health status. */
    static CloudMapDirectory of(ServiceDiscoveryClient cloudMap) {
        return new SdkCloudMapDirectory(cloudMap);
    }
}
