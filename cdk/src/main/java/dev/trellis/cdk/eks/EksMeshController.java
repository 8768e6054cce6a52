package dev.trellis.cdk.eks;

import dev.trellis.cdk.controller.ControllerEnvironment;
import dev.trellis.cdk.controller.ControllerPermissions;
import dev.trellis.cdk.controller.ControllerPorts;
import dev.trellis.cdk.images.ProxyImage;
import dev.trellis.cdk.mesh.Mesh;
import dev.trellis.naming.SsmPaths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.eks.ICluster;
import software.amazon.awscdk.services.eks.KubernetesManifest;
import software.amazon.awscdk.services.eks.ServiceAccount;
import software.constructs.Construct;

/**
 * Installs the mesh's controller on an EKS cluster: its namespace, a service account with an IAM
 * role (IRSA) holding the controller's AWS permissions, RBAC to watch pods and keep the webhook's
 * caBundle current, the Deployment, its Service, and the mutating admission webhook that injects
 * the sidecar into pods that ask for it ({@link PodAnnotations}). System namespaces and the
 * controller's own are never injected. One mesh per cluster: the webhook does not tell meshes apart.
 *
 * <p>Construct ids are a public contract: {@code Namespace}, {@code ServiceAccount}, {@code Controller}.
 */
public class EksMeshController extends Construct {

    public static final String NAME = "trellis-controller";
    public static final String WEBHOOK_CONFIGURATION = "trellis-sidecar-injector";
    public static final String WEBHOOK_NAME = "inject.trellis.dev";
    public static final String WEBHOOK_PATH = "/mutate";
    public static final String DEFAULT_NAMESPACE = "trellis-system";

    private final String namespace;
    private final ServiceAccount serviceAccount;
    private final KubernetesManifest controller;

    public EksMeshController(Construct scope, String id, EksMeshControllerProps props) {
        super(scope, id);
        Mesh mesh = required(props.getMesh(), "mesh", "the Mesh the controller serves");
        ICluster cluster = required(props.getCluster(), "cluster", "the EKS cluster to install on");
        required(props.getImage(), "image", "ControllerImage.fromRegistry(uri) or fromAsset(dir)");
        ProxyImage proxyImage = props.getProxyImage() != null ? props.getProxyImage() : mesh.proxyImage().orElseThrow(() ->
                new IllegalArgumentException("proxyImage: null (expected: EksMeshControllerProps.proxyImage(...) or MeshProps.proxyImage(...))"));
        namespace = props.getNamespace() != null ? props.getNamespace() : DEFAULT_NAMESPACE;
        if (!namespace.matches("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")) {
            throw new IllegalArgumentException("namespace: " + namespace + " (expected: a Kubernetes namespace name, lower-case letters, digits and '-')");
        }
        int replicas = props.getReplicas() != null ? props.getReplicas().intValue() : 2;
        WebhookFailurePolicy failurePolicy = props.getWebhookFailurePolicy() != null
                ? props.getWebhookFailurePolicy() : WebhookFailurePolicy.IGNORE;

        KubernetesManifest namespaceManifest = KubernetesManifest.Builder.create(this, "Namespace")
                .cluster(cluster)
                .manifest(List.of(Map.of("apiVersion", "v1", "kind", "Namespace",
                        "metadata", Map.of("name", namespace, "labels", Map.of("app.kubernetes.io/part-of", "trellis")))))
                .build();

        serviceAccount = ServiceAccount.Builder.create(this, "ServiceAccount")
                .cluster(cluster)
                .name(NAME)
                .namespace(namespace)
                .build();
        serviceAccount.getNode().addDependency(namespaceManifest);
        ControllerPermissions.grantMesh(serviceAccount, mesh);

        String controllerUrl = controllerUrl();
        List<Map<String, Object>> manifests = new ArrayList<>();
        manifests.add(clusterRole());
        manifests.add(clusterRoleBinding());
        manifests.add(role());
        manifests.add(roleBinding());
        manifests.add(deployment(mesh, props.getImage().bind(this, "Image").imageUri(),
                proxyImage.bind(this, "ProxyImage").imageUri(), controllerUrl, replicas));
        manifests.add(service());
        manifests.add(webhook(failurePolicy));
        controller = KubernetesManifest.Builder.create(this, "Controller")
                .cluster(cluster)
                .manifest(manifests)
                .build();
        controller.getNode().addDependency(serviceAccount);
    }

    /** Where injected proxies reach the controller inside the cluster. */
    public String controllerUrl() {
        return "http://" + NAME + "." + namespace + ".svc:" + ControllerPorts.HTTP;
    }

    public String namespace() {
        return namespace;
    }

    public ServiceAccount serviceAccount() {
        return serviceAccount;
    }

    public KubernetesManifest controllerManifest() {
        return controller;
    }

    private Map<String, Object> metadata(String name, boolean namespaced) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", name);
        if (namespaced) {
            metadata.put("namespace", namespace);
        }
        metadata.put("labels", Map.of("app.kubernetes.io/name", NAME, "app.kubernetes.io/part-of", "trellis"));
        return metadata;
    }

    private Map<String, Object> clusterRole() {
        return Map.of("apiVersion", "rbac.authorization.k8s.io/v1", "kind", "ClusterRole",
                "metadata", metadata(NAME, false),
                "rules", List.of(
                        Map.of("apiGroups", List.of(""), "resources", List.of("pods", "namespaces"),
                                "verbs", List.of("get", "list", "watch")),
                        Map.of("apiGroups", List.of(""), "resources", List.of("events"),
                                "verbs", List.of("create", "patch")),
                        // The controller keeps the webhook's caBundle equal to the CA of its serving certificate.
                        Map.of("apiGroups", List.of("admissionregistration.k8s.io"),
                                "resources", List.of("mutatingwebhookconfigurations"),
                                "resourceNames", List.of(WEBHOOK_CONFIGURATION),
                                "verbs", List.of("get", "update", "patch"))));
    }

    private Map<String, Object> clusterRoleBinding() {
        return Map.of("apiVersion", "rbac.authorization.k8s.io/v1", "kind", "ClusterRoleBinding",
                "metadata", metadata(NAME, false),
                "roleRef", Map.of("apiGroup", "rbac.authorization.k8s.io", "kind", "ClusterRole", "name", NAME),
                "subjects", List.of(Map.of("kind", "ServiceAccount", "name", NAME, "namespace", namespace)));
    }

    private Map<String, Object> role() {
        return Map.of("apiVersion", "rbac.authorization.k8s.io/v1", "kind", "Role",
                "metadata", metadata(NAME, true),
                "rules", List.of(
                        // The webhook's serving certificate, kept across restarts.
                        Map.of("apiGroups", List.of(""), "resources", List.of("secrets"),
                                "verbs", List.of("get", "create", "update")),
                        // Leader election among the replicas.
                        Map.of("apiGroups", List.of("coordination.k8s.io"), "resources", List.of("leases"),
                                "verbs", List.of("get", "create", "update"))));
    }

    private Map<String, Object> roleBinding() {
        return Map.of("apiVersion", "rbac.authorization.k8s.io/v1", "kind", "RoleBinding",
                "metadata", metadata(NAME, true),
                "roleRef", Map.of("apiGroup", "rbac.authorization.k8s.io", "kind", "Role", "name", NAME),
                "subjects", List.of(Map.of("kind", "ServiceAccount", "name", NAME, "namespace", namespace)));
    }

    private Map<String, Object> deployment(Mesh mesh, String image, String proxyImage, String controllerUrl, int replicas) {
        List<Map<String, Object>> env = new ArrayList<>();
        Map<String, String> values = new LinkedHashMap<>();
        values.put(ControllerEnvironment.MESH, mesh.meshName());
        values.put(ControllerEnvironment.SPEC_SOURCE, "ssm:" + SsmPaths.meshRoot(mesh.meshName()));
        values.put(ControllerEnvironment.NAMESPACE_ID, mesh.namespace().getNamespaceId());
        values.put(ControllerEnvironment.NAMESPACE_NAME, mesh.namespace().getNamespaceName());
        values.put(ControllerEnvironment.CA_SECRET_ARN, mesh.caSecret().getSecretArn());
        values.put(ControllerEnvironment.TRUST_DOMAIN, mesh.trustDomain());
        values.put(ControllerEnvironment.METRICS_NAMESPACE, mesh.metricsNamespace());
        values.put(ControllerEnvironment.PROXY_IMAGE, proxyImage);
        values.put(ControllerEnvironment.CONTROLLER_URL, controllerUrl);
        values.put("AWS_REGION", Stack.of(this).getRegion());
        values.forEach((name, value) -> env.add(Map.of("name", name, "value", value)));
        env.add(Map.of("name", ControllerEnvironment.POD_NAMESPACE,
                "valueFrom", Map.of("fieldRef", Map.of("fieldPath", "metadata.namespace"))));

        Map<String, Object> container = new LinkedHashMap<>();
        container.put("name", "controller");
        container.put("image", image);
        container.put("args", List.of("--mesh", mesh.meshName(), "--registry", "cloudmap",
                "--namespace-id", mesh.namespace().getNamespaceId(), "--port", Integer.toString(ControllerPorts.HTTP)));
        container.put("env", env);
        container.put("ports", List.of(
                Map.of("name", "http", "containerPort", ControllerPorts.HTTP),
                Map.of("name", "webhook", "containerPort", ControllerPorts.WEBHOOK)));
        container.put("readinessProbe", Map.of("httpGet", Map.of("path", ControllerPorts.READY_PATH, "port", "http"),
                "periodSeconds", 5));
        container.put("livenessProbe", Map.of("httpGet", Map.of("path", "/live", "port", "http"),
                "initialDelaySeconds", 15, "periodSeconds", 10));
        container.put("resources", Map.of("requests", Map.of("cpu", "250m", "memory", "512Mi"),
                "limits", Map.of("memory", "1Gi")));
        container.put("securityContext", Map.of("runAsNonRoot", true, "allowPrivilegeEscalation", false,
                "readOnlyRootFilesystem", true));

        Map<String, Object> podSpec = new LinkedHashMap<>();
        podSpec.put("serviceAccountName", NAME);
        podSpec.put("containers", List.of(container));
        Map<String, String> selector = Map.of("app.kubernetes.io/name", NAME);
        return Map.of("apiVersion", "apps/v1", "kind", "Deployment",
                "metadata", metadata(NAME, true),
                "spec", Map.of("replicas", replicas,
                        "selector", Map.of("matchLabels", selector),
                        "template", Map.of("metadata", Map.of("labels", selector), "spec", podSpec)));
    }

    private Map<String, Object> service() {
        return Map.of("apiVersion", "v1", "kind", "Service",
                "metadata", metadata(NAME, true),
                "spec", Map.of("selector", Map.of("app.kubernetes.io/name", NAME),
                        "ports", List.of(
                                Map.of("name", "http", "port", ControllerPorts.HTTP, "targetPort", "http"),
                                Map.of("name", "webhook", "port", 443, "targetPort", "webhook"))));
    }

    private Map<String, Object> webhook(WebhookFailurePolicy failurePolicy) {
        Map<String, Object> hook = new LinkedHashMap<>();
        hook.put("name", WEBHOOK_NAME);
        hook.put("admissionReviewVersions", List.of("v1"));
        hook.put("sideEffects", "None");
        hook.put("failurePolicy", failurePolicy.kubernetesName());
        hook.put("reinvocationPolicy", "Never");
        hook.put("timeoutSeconds", 10);
        hook.put("clientConfig", Map.of("service", Map.of("name", NAME, "namespace", namespace,
                "path", WEBHOOK_PATH, "port", 443)));
        hook.put("rules", List.of(Map.of("operations", List.of("CREATE"), "apiGroups", List.of(""),
                "apiVersions", List.of("v1"), "resources", List.of("pods"), "scope", "Namespaced")));
        // Pods opt in by namespace label or by annotation, so the webhook sees every namespace but these.
        hook.put("namespaceSelector", Map.of("matchExpressions", List.of(Map.of(
                "key", "kubernetes.io/metadata.name", "operator", "NotIn",
                "values", List.of("kube-system", "kube-public", "kube-node-lease", namespace)))));
        return Map.of("apiVersion", "admissionregistration.k8s.io/v1", "kind", "MutatingWebhookConfiguration",
                "metadata", metadata(WEBHOOK_CONFIGURATION, false),
                "webhooks", List.of(hook));
    }

    private static <T> T required(T value, String name, String expected) {
        if (value == null) {
            throw new IllegalArgumentException(name + ": null (expected: " + expected + ")");
        }
        return value;
    }
}
