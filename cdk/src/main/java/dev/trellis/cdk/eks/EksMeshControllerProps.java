package dev.trellis.cdk.eks;

import dev.trellis.cdk.images.ControllerImage;
import dev.trellis.cdk.images.ProxyImage;
import dev.trellis.cdk.mesh.Mesh;
import software.amazon.awscdk.services.eks.ICluster;

/** Properties of an {@link EksMeshController}. */
public interface EksMeshControllerProps {

    Mesh getMesh();

    /** A cluster with an OpenID Connect provider (IAM roles for service accounts) and kubectl access. */
    ICluster getCluster();

    ControllerImage getImage();

    /** The sidecar the webhook injects. Default: the mesh's proxy image. */
    ProxyImage getProxyImage();

    /** The Kubernetes namespace of the controller. Default: {@code trellis-system}. */
    String getNamespace();

    /** Controller replicas. Default: 2. */
    Number getReplicas();

    /** Default: {@link WebhookFailurePolicy#IGNORE}. */
    WebhookFailurePolicy getWebhookFailurePolicy();

    static Builder builder() {
        return new Builder();
    }

    final class Builder {
        private Mesh mesh;
        private ICluster cluster;
        private ControllerImage image;
        private ProxyImage proxyImage;
        private String namespace;
        private Number replicas;
        private WebhookFailurePolicy webhookFailurePolicy;

        private Builder() {
        }

        public Builder mesh(Mesh mesh) {
            this.mesh = mesh;
            return this;
        }

        public Builder cluster(ICluster cluster) {
            this.cluster = cluster;
            return this;
        }

        public Builder image(ControllerImage image) {
            this.image = image;
            return this;
        }

        public Builder proxyImage(ProxyImage proxyImage) {
            this.proxyImage = proxyImage;
            return this;
        }

        public Builder namespace(String namespace) {
            this.namespace = namespace;
            return this;
        }

        public Builder replicas(Number replicas) {
            this.replicas = replicas;
            return this;
        }

        public Builder webhookFailurePolicy(WebhookFailurePolicy webhookFailurePolicy) {
            this.webhookFailurePolicy = webhookFailurePolicy;
            return this;
        }

        public EksMeshControllerProps build() {
            Mesh m = mesh;
            ICluster c = cluster;
            ControllerImage i = image;
            ProxyImage p = proxyImage;
            String n = namespace;
            Number r = replicas;
            WebhookFailurePolicy f = webhookFailurePolicy;
            return new EksMeshControllerProps() {
                @Override public Mesh getMesh() { return m; }
                @Override public ICluster getCluster() { return c; }
                @Override public ControllerImage getImage() { return i; }
                @Override public ProxyImage getProxyImage() { return p; }
                @Override public String getNamespace() { return n; }
                @Override public Number getReplicas() { return r; }
                @Override public WebhookFailurePolicy getWebhookFailurePolicy() { return f; }
            };
        }
    }
}
