package dev.trellis.cdk.eks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.cdk.images.ControllerImage;
import dev.trellis.cdk.images.ProxyImage;
import dev.trellis.cdk.mesh.Mesh;
import dev.trellis.cdk.mesh.MeshProps;
import com.fasterxml.jackson.databind.JsonNode;
import dev.trellis.cdk.testing.CfnLint;
import dev.trellis.cdk.testing.Manifests;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.eks.Cluster;
import software.amazon.awscdk.services.eks.ClusterAttributes;
import software.amazon.awscdk.services.eks.ICluster;
import software.amazon.awscdk.services.iam.OpenIdConnectProvider;
import software.amazon.awscdk.services.lambda.LayerVersion;

class EksMeshControllerTest {

    static Stack stack;
    static Template template;
    static List<JsonNode> objects;
    static EksMeshController controller;

    /** An existing cluster, as most meshes meet one: imported with its kubectl role, OIDC provider and kubectl layer. */
    static ICluster importedCluster(Stack stack) {
        return Cluster.fromClusterAttributes(stack, "Cluster", ClusterAttributes.builder()
                .clusterName("shop")
                .kubectlRoleArn("arn:aws:iam::123456789012:role/shop-kubectl")
                .openIdConnectProvider(OpenIdConnectProvider.fromOpenIdConnectProviderArn(stack, "Oidc",
                        "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"))
                .kubectlLayer(LayerVersion.fromLayerVersionArn(stack, "Kubectl",
                        "arn:aws:lambda:eu-west-1:123456789012:layer:kubectl:1"))
                .build());
    }

    @BeforeAll
    static void synthesizeOneApp() {
        stack = new Stack(new App(), "Eks");
        Mesh mesh = new Mesh(stack, "Mesh", MeshProps.builder().meshName("shop")
                .proxyImage(ProxyImage.fromRegistry("public.ecr.aws/trellis/proxy:0.1.0"))
                .build());
        controller = new EksMeshController(stack, "MeshController", EksMeshControllerProps.builder()
                .mesh(mesh)
                .cluster(importedCluster(stack))
                .image(ControllerImage.fromRegistry("public.ecr.aws/trellis/controller:0.1.0"))
                .build());
        template = Template.fromStack(stack);
        objects = Manifests.of(template);
    }

    @Test
    @DisplayName("GIVEN a cluster WHEN the controller is installed THEN a namespace, then a service account, then the controller manifests, in that order")
    void manifestsInOrder() {
        template.resourceCountIs("Custom::AWSCDK-EKS-KubernetesResource", 3);
        template.hasResource("Custom::AWSCDK-EKS-KubernetesResource", Map.of(
                "DependsOn", Match.arrayWith(List.of(Match.stringLikeRegexp("^MeshControllerNamespace")))));
        assertThat(Manifests.kind(objects, "Namespace").at("/metadata/name").asText()).isEqualTo("trellis-system");
        assertThat(objects.stream().map(o -> o.path("kind").asText()).toList()).containsExactlyInAnyOrder(
                "Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding",
                "Deployment", "Service", "MutatingWebhookConfiguration");
        template.hasResource("Custom::AWSCDK-EKS-KubernetesResource", Map.of(
                "DependsOn", Match.arrayWith(List.of(Match.stringLikeRegexp("^MeshControllerServiceAccount")))));
    }

    @Test
    @DisplayName("GIVEN the controller WHEN installed THEN its Deployment runs the image with the mesh's environment, probes on the admin port and the proxy image to inject")
    void deployment() {
        JsonNode deployment = Manifests.kind(objects, "Deployment");
        JsonNode pod = deployment.at("/spec/template/spec");
        JsonNode container = pod.at("/containers/0");
        assertThat(pod.path("serviceAccountName").asText()).isEqualTo("trellis-controller");
        assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(2);
        assertThat(container.path("image").asText()).isEqualTo("public.ecr.aws/trellis/controller:0.1.0");
        assertThat(env(container)).contains(
                Map.entry("TRELLIS_MESH", "shop"),
                Map.entry("TRELLIS_SPEC_SOURCE", "ssm:/trellis/shop"),
                Map.entry("TRELLIS_PROXY_IMAGE", "public.ecr.aws/trellis/proxy:0.1.0"),
                Map.entry("TRELLIS_CONTROLLER_URL", "http://trellis-controller.trellis-system.svc:9090"),
                Map.entry("TRELLIS_CA_SECRET_ARN", Manifests.TOKEN));
        assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/ready");
        assertThat(container.at("/readinessProbe/httpGet/port").asText()).isEqualTo("http");
        assertThat(container.findValuesAsText("containerPort")).containsExactly("9090", "9443");
        assertThat(container.path("args").toString()).isEqualTo(
                "[\"--mesh\",\"shop\",\"--registry\",\"cloudmap\",\"--namespace-id\",\"<token>\",\"--port\",\"9090\"]");
        assertThat(controller.controllerUrl()).isEqualTo("http://trellis-controller.trellis-system.svc:9090");
    }

    static JsonNode json(String text) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static Map<String, String> env(JsonNode container) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
        return env;
    }

    @Test
    @DisplayName("GIVEN the controller WHEN installed THEN a mutating webhook sends pod creations to /mutate, never for system namespaces, ignoring failures by default")
    void webhook() {
        JsonNode hook = Manifests.kind(objects, "MutatingWebhookConfiguration").at("/webhooks/0");
        assertThat(Manifests.kind(objects, "MutatingWebhookConfiguration").at("/metadata/name").asText())
                .isEqualTo("trellis-sidecar-injector");
        assertThat(hook.at("/clientConfig/service/path").asText()).isEqualTo("/mutate");
        assertThat(hook.at("/clientConfig/service/name").asText()).isEqualTo("trellis-controller");
        assertThat(hook.path("failurePolicy").asText()).isEqualTo("Ignore");
        assertThat(hook.path("sideEffects").asText()).isEqualTo("None");
        assertThat(hook.at("/rules/0/resources/0").asText()).isEqualTo("pods");
        assertThat(hook.at("/rules/0/operations/0").asText()).isEqualTo("CREATE");
        assertThat(hook.at("/namespaceSelector/matchExpressions/0/operator").asText()).isEqualTo("NotIn");
        assertThat(hook.at("/namespaceSelector/matchExpressions/0/values").toString())
                .contains("kube-system", "kube-node-lease", "trellis-system");
        JsonNode service = Manifests.kind(objects, "Service");
        assertThat(service.at("/spec/ports").toString()).contains("\"port\":443", "\"targetPort\":\"webhook\"");
    }

    @Test
    @DisplayName("GIVEN the controller WHEN installed THEN RBAC lets it watch pods and keep the webhook's caBundle, and nothing cluster-wide beyond that")
    void rbac() {
        JsonNode rules = Manifests.kind(objects, "ClusterRole").path("rules");
        assertThat(rules).isEqualTo(json("[{\"apiGroups\":[\"\"],\"resources\":[\"pods\",\"namespaces\"],\"verbs\":[\"get\",\"list\",\"watch\"]},"
                + "{\"apiGroups\":[\"\"],\"resources\":[\"events\"],\"verbs\":[\"create\",\"patch\"]},"
                + "{\"apiGroups\":[\"admissionregistration.k8s.io\"],\"resources\":[\"mutatingwebhookconfigurations\"],"
                + "\"resourceNames\":[\"trellis-sidecar-injector\"],\"verbs\":[\"get\",\"update\",\"patch\"]}]"));
        assertThat(Manifests.kind(objects, "ClusterRoleBinding").at("/subjects/0/namespace").asText()).isEqualTo("trellis-system");
    }

    @Test
    @DisplayName("GIVEN the controller WHEN installed THEN its service account's IAM role may register in the mesh namespace and read the spec and the CA")
    void serviceAccountPermissions() {
        template.hasResourceProperties("AWS::IAM::Policy", Map.of(
                "PolicyName", Match.stringLikeRegexp("^MeshControllerServiceAccountRole"),
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(
                        Match.objectLike(Map.of("Sid", "RegisterWorkloadsInTheMeshNamespace")),
                        Match.objectLike(Map.of("Sid", "ReadTheMeshSpec")),
                        Match.objectLike(Map.of("Action", List.of("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"))))))));
        assertThat(template.findResources("AWS::IAM::Policy").toString()).doesNotContain("ecs:ListTasks");
    }

    @Test
    @DisplayName("GIVEN the annotation names WHEN read THEN they are exactly the ones the webhook implements")
    void annotationNames() {
        assertThat(List.of(PodAnnotations.INJECT, PodAnnotations.SERVICE, PodAnnotations.VERSION, PodAnnotations.APP_PORT,
                PodAnnotations.EXCLUDE_OUTBOUND_PORTS, PodAnnotations.PROXY_CPU, PodAnnotations.PROXY_MEMORY))
                .containsExactly("trellis.dev/inject", "trellis.dev/service", "trellis.dev/version", "trellis.dev/app-port",
                        "trellis.dev/exclude-outbound-ports", "trellis.dev/proxy-cpu", "trellis.dev/proxy-memory");
        assertThat(PodAnnotations.NAMESPACE_LABEL + "=" + PodAnnotations.NAMESPACE_LABEL_ENABLED).isEqualTo("trellis.dev/inject=enabled");
    }

    @Test
    @DisplayName("GIVEN the EKS template WHEN cfn-lint checks it THEN it finds no error and no warning of ours")
    void cfnLint(@TempDir Path out) {
        assertThat(CfnLint.problems(CfnLint.lint(List.of(CfnLint.write(stack, out))))).isEmpty();
    }

    @Test
    @DisplayName("GIVEN WebhookFailurePolicy.FAIL and another namespace WHEN installed THEN the webhook fails closed and points at that namespace")
    void failClosed() {
        Stack other = new Stack(new App(), "Strict");
        Mesh mesh = new Mesh(other, "Mesh", MeshProps.builder().meshName("shop").build());
        new EksMeshController(other, "MeshController", EksMeshControllerProps.builder()
                .mesh(mesh).cluster(importedCluster(other))
                .image(ControllerImage.fromRegistry("public.ecr.aws/trellis/controller:0.1.0"))
                .proxyImage(ProxyImage.fromRegistry("public.ecr.aws/trellis/proxy:0.1.0"))
                .namespace("mesh-system").replicas(3)
                .webhookFailurePolicy(WebhookFailurePolicy.FAIL)
                .build());
        List<JsonNode> strict = Manifests.of(Template.fromStack(other));
        assertThat(Manifests.kind(strict, "MutatingWebhookConfiguration").at("/webhooks/0/failurePolicy").asText()).isEqualTo("Fail");
        assertThat(Manifests.kind(strict, "Deployment").at("/metadata/namespace").asText()).isEqualTo("mesh-system");
        assertThat(Manifests.kind(strict, "Deployment").at("/spec/replicas").asInt()).isEqualTo(3);
    }

    @Test
    @DisplayName("GIVEN an invalid namespace name WHEN installed THEN it fails naming the value and the rule")
    void invalidNamespace() {
        Stack other = new Stack(new App(), "Bad");
        Mesh mesh = new Mesh(other, "Mesh", MeshProps.builder().meshName("shop")
                .proxyImage(ProxyImage.fromRegistry("public.ecr.aws/trellis/proxy:0.1.0")).build());
        assertThatThrownBy(() -> new EksMeshController(other, "MeshController", EksMeshControllerProps.builder()
                .mesh(mesh).cluster(importedCluster(other))
                .image(ControllerImage.fromRegistry("public.ecr.aws/trellis/controller:0.1.0"))
                .namespace("Trellis_System").build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("namespace: Trellis_System (expected: a Kubernetes namespace name, lower-case letters, digits and '-')");
    }

    @Test
    @DisplayName("GIVEN no controller image WHEN installed THEN it fails saying which image is expected")
    void noImage() {
        Stack other = new Stack(new App(), "Bad");
        Mesh mesh = new Mesh(other, "Mesh", MeshProps.builder().meshName("shop").build());
        assertThatThrownBy(() -> new EksMeshController(other, "MeshController", EksMeshControllerProps.builder()
                .mesh(mesh).cluster(importedCluster(other)).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("image: null (expected: ControllerImage.fromRegistry(uri) or fromAsset(dir))");
    }
}
