package dev.trellis.cdk.ecs;

import dev.trellis.cdk.images.ProxyImage;
import dev.trellis.cdk.service.MeshService;
import software.amazon.awscdk.services.ecs.ContainerDefinition;
import software.amazon.awscdk.services.ecs.TaskDefinition;

/** Properties of an {@link EcsSidecar}. */
public interface EcsSidecarProps {

    /** The mesh service the task is a workload of. */
    MeshService getMeshService();

    /** The version the task runs, one of the service's versions. Default: v1. */
    String getVersion();

    /** A Fargate or EC2 task definition in awsvpc network mode. */
    TaskDefinition getTaskDefinition();

    /** The application's container, started once the proxy is healthy. Default: the task's default (first essential) container. */
    ContainerDefinition getApplicationContainer();

    /** Default: the mesh's proxy image. */
    ProxyImage getProxyImage();

    /** CPU units reserved for the proxy. Default: none reserved (it shares the task's). */
    Number getProxyCpu();

    /** Memory reserved for the proxy, MiB. Default: 128. */
    Number getProxyMemoryReservationMiB();

    /**
     * Whether the application's traffic is redirected through the proxy by ECS (the task's proxy
     * configuration, iptables rules set up by the ECS agent's CNI plugin); without it the
     * application calls the proxy's outbound port itself. Default: true.
     */
    Boolean getTransparentInterception();

    static Builder builder() {
        return new Builder();
    }

    final class Builder {
        private MeshService meshService;
        private String version;
        private TaskDefinition taskDefinition;
        private ContainerDefinition applicationContainer;
        private ProxyImage proxyImage;
        private Number proxyCpu;
        private Number proxyMemoryReservationMiB;
        private Boolean transparentInterception;

        private Builder() {
        }

        public Builder meshService(MeshService meshService) {
            this.meshService = meshService;
            return this;
        }

        public Builder version(String version) {
            this.version = version;
            return this;
        }

        public Builder taskDefinition(TaskDefinition taskDefinition) {
            this.taskDefinition = taskDefinition;
            return this;
        }

        public Builder applicationContainer(ContainerDefinition applicationContainer) {
            this.applicationContainer = applicationContainer;
            return this;
        }

        public Builder proxyImage(ProxyImage proxyImage) {
            this.proxyImage = proxyImage;
            return this;
        }

        public Builder proxyCpu(Number proxyCpu) {
            this.proxyCpu = proxyCpu;
            return this;
        }

        public Builder proxyMemoryReservationMiB(Number proxyMemoryReservationMiB) {
            this.proxyMemoryReservationMiB = proxyMemoryReservationMiB;
            return this;
        }

        public Builder transparentInterception(Boolean transparentInterception) {
            this.transparentInterception = transparentInterception;
            return this;
        }

        public EcsSidecarProps build() {
            MeshService s = meshService;
            String v = version;
            TaskDefinition t = taskDefinition;
            ContainerDefinition a = applicationContainer;
            ProxyImage i = proxyImage;
            Number c = proxyCpu;
            Number m = proxyMemoryReservationMiB;
            Boolean ti = transparentInterception;
            return new EcsSidecarProps() {
                @Override public MeshService getMeshService() { return s; }
                @Override public String getVersion() { return v; }
                @Override public TaskDefinition getTaskDefinition() { return t; }
                @Override public ContainerDefinition getApplicationContainer() { return a; }
                @Override public ProxyImage getProxyImage() { return i; }
                @Override public Number getProxyCpu() { return c; }
                @Override public Number getProxyMemoryReservationMiB() { return m; }
                @Override public Boolean getTransparentInterception() { return ti; }
            };
        }
    }
}
