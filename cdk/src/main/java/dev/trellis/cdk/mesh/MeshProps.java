package dev.trellis.cdk.mesh;

import dev.trellis.cdk.controller.EcsControllerOptions;
import dev.trellis.cdk.hooks.LambdaHooks;
import dev.trellis.cdk.images.ProxyImage;
import dev.trellis.spec.DefaultPolicy;
import dev.trellis.spec.TlsMode;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.services.logs.RetentionDays;

/** Properties of a {@link Mesh}. Only the name is required. */
public interface MeshProps {

    /** The mesh's name: lower-case letters, digits and '-', starting with a letter. */
    String getMeshName();

    /** Default: {@link MeshNamespace#http()} named {@code <mesh>.local}. */
    MeshNamespace getNamespace();

    /** Default: {@code <mesh>.trellis.local}. */
    String getTrustDomain();

    /** The TLS mode of every service that sets none. Default: PERMISSIVE. */
    TlsMode getTls();

    /** Who may call a service that lists no allowed callers. Default: ALLOW. */
    DefaultPolicy getDefaultPolicy();

    /** Runs the controller on ECS Fargate. Default: no controller on ECS (e.g. an EKS-only mesh). */
    EcsControllerOptions getController();

    /** Where sidecars reach the controller when it does not run on ECS here. Default: the ECS controller's URL. */
    String getControllerUrl();

    /** The Lambda hooks' code. Default: no hooks (see {@link Mesh} for what that leaves out). */
    LambdaHooks getHooks();

    /** The image of every sidecar that names none. */
    ProxyImage getProxyImage();

    /** The CloudWatch namespace the proxies publish to. Default: {@code Trellis}. */
    String getMetricsNamespace();

    /** Retention of the mesh's log groups. Default: one month. */
    RetentionDays getLogRetention();

    /** What happens to the CA secret when the stack goes. Default: RETAIN (losing it invalidates every certificate). */
    RemovalPolicy getCaRemovalPolicy();

    static Builder builder() {
        return new Builder();
    }

    final class Builder {
        private String meshName;
        private MeshNamespace namespace;
        private String trustDomain;
        private TlsMode tls;
        private DefaultPolicy defaultPolicy;
        private EcsControllerOptions controller;
        private String controllerUrl;
        private LambdaHooks hooks;
        private ProxyImage proxyImage;
        private String metricsNamespace;
        private RetentionDays logRetention;
        private RemovalPolicy caRemovalPolicy;

        private Builder() {
        }

        public Builder meshName(String meshName) {
            this.meshName = meshName;
            return this;
        }

        public Builder namespace(MeshNamespace namespace) {
            this.namespace = namespace;
            return this;
        }

        public Builder trustDomain(String trustDomain) {
            this.trustDomain = trustDomain;
            return this;
        }

        public Builder tls(TlsMode tls) {
            this.tls = tls;
            return this;
        }

        public Builder defaultPolicy(DefaultPolicy defaultPolicy) {
            this.defaultPolicy = defaultPolicy;
            return this;
        }

        public Builder controller(EcsControllerOptions controller) {
            this.controller = controller;
            return this;
        }

        public Builder controllerUrl(String controllerUrl) {
            this.controllerUrl = controllerUrl;
            return this;
        }

        public Builder hooks(LambdaHooks hooks) {
            this.hooks = hooks;
            return this;
        }

        public Builder proxyImage(ProxyImage proxyImage) {
            this.proxyImage = proxyImage;
            return this;
        }

        public Builder metricsNamespace(String metricsNamespace) {
            this.metricsNamespace = metricsNamespace;
            return this;
        }

        public Builder logRetention(RetentionDays logRetention) {
            this.logRetention = logRetention;
            return this;
        }

        public Builder caRemovalPolicy(RemovalPolicy caRemovalPolicy) {
            this.caRemovalPolicy = caRemovalPolicy;
            return this;
        }

        public MeshProps build() {
            Builder b = this;
            String meshName = b.meshName;
            MeshNamespace namespace = b.namespace;
            String trustDomain = b.trustDomain;
            TlsMode tls = b.tls;
            DefaultPolicy defaultPolicy = b.defaultPolicy;
            EcsControllerOptions controller = b.controller;
            String controllerUrl = b.controllerUrl;
            LambdaHooks hooks = b.hooks;
            ProxyImage proxyImage = b.proxyImage;
            String metricsNamespace = b.metricsNamespace;
            RetentionDays logRetention = b.logRetention;
            RemovalPolicy caRemovalPolicy = b.caRemovalPolicy;
            return new MeshProps() {
                @Override public String getMeshName() { return meshName; }
                @Override public MeshNamespace getNamespace() { return namespace; }
                @Override public String getTrustDomain() { return trustDomain; }
                @Override public TlsMode getTls() { return tls; }
                @Override public DefaultPolicy getDefaultPolicy() { return defaultPolicy; }
                @Override public EcsControllerOptions getController() { return controller; }
                @Override public String getControllerUrl() { return controllerUrl; }
                @Override public LambdaHooks getHooks() { return hooks; }
                @Override public ProxyImage getProxyImage() { return proxyImage; }
                @Override public String getMetricsNamespace() { return metricsNamespace; }
                @Override public RetentionDays getLogRetention() { return logRetention; }
                @Override public RemovalPolicy getCaRemovalPolicy() { return caRemovalPolicy; }
            };
        }
    }
}
