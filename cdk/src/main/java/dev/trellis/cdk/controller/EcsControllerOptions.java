package dev.trellis.cdk.controller;

import dev.trellis.cdk.images.ControllerImage;
import software.amazon.awscdk.services.ec2.SubnetSelection;
import software.amazon.awscdk.services.ecs.ICluster;

/**
 * How the mesh's controller runs on ECS Fargate.
 *
 * <pre>{@code
 * EcsControllerOptions.builder()
 *         .cluster(cluster)
 *         .image(ControllerImage.fromRegistry("public.ecr.aws/trellis/controller:0.1.0"))
 *         .build();
 * }</pre>
 */
public interface EcsControllerOptions {

    /** The cluster the controller's Fargate service runs in; its tasks are watched too. */
    ICluster getCluster();

    ControllerImage getImage();

    /** Controller tasks; they share the work through the spec and Cloud Map. Default: 2. */
    Number getDesiredCount();

    /** Fargate CPU units of a task. Default: 512. */
    Number getCpu();

    /** Fargate memory of a task, MiB. Default: 1024. */
    Number getMemoryLimitMiB();

    /** Where the tasks and the internal load balancer go. Default: the VPC's private subnets. */
    SubnetSelection getVpcSubnets();

    static Builder builder() {
        return new Builder();
    }

    final class Builder {
        private ICluster cluster;
        private ControllerImage image;
        private Number desiredCount;
        private Number cpu;
        private Number memoryLimitMiB;
        private SubnetSelection vpcSubnets;

        private Builder() {
        }

        public Builder cluster(ICluster cluster) {
            this.cluster = cluster;
            return this;
        }

        public Builder image(ControllerImage image) {
            this.image = image;
            return this;
        }

        public Builder desiredCount(Number desiredCount) {
            this.desiredCount = desiredCount;
            return this;
        }

        public Builder cpu(Number cpu) {
            this.cpu = cpu;
            return this;
        }

        public Builder memoryLimitMiB(Number memoryLimitMiB) {
            this.memoryLimitMiB = memoryLimitMiB;
            return this;
        }

        public Builder vpcSubnets(SubnetSelection vpcSubnets) {
            this.vpcSubnets = vpcSubnets;
            return this;
        }

        public EcsControllerOptions build() {
            ICluster c = cluster;
            ControllerImage i = image;
            Number d = desiredCount;
            Number cp = cpu;
            Number m = memoryLimitMiB;
            SubnetSelection s = vpcSubnets;
            return new EcsControllerOptions() {
                @Override public ICluster getCluster() { return c; }
                @Override public ControllerImage getImage() { return i; }
                @Override public Number getDesiredCount() { return d; }
                @Override public Number getCpu() { return cp; }
                @Override public Number getMemoryLimitMiB() { return m; }
                @Override public SubnetSelection getVpcSubnets() { return s; }
            };
        }
    }
}
