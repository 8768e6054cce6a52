package dev.trellis.ca.identity;

import static dev.trellis.ca.testing.TestMesh.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trellis.ca.api.IdentityProof;
import dev.trellis.ca.testing.TestMesh;
import dev.trellis.naming.WorkloadLabels;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("k8s-token proof: a service account token checked with TokenReview (fabric8 mock server)")
class KubernetesTokenProofTest {

    private static final String TOKEN_REVIEWS = "/apis/authentication.k8s.io/v1/tokenreviews";

    private static KubernetesMockServer server;
    private static KubernetesClient client;

    /** One server for the class: starting Vert.x and a client costs seconds, an expectation nothing. */
    @BeforeAll
    static void startServer() {
        server = new KubernetesMockServer(false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        // No client-side retries: a 5xx must come back as "unavailable" at once; the proxy retries with backoff.
        KubernetesClient mockClient = server.createClient();
        client = new KubernetesClientBuilder().withConfig(new ConfigBuilder(mockClient.getConfiguration())
                .withRequestRetryBackoffLimit(0).build()).build();
        mockClient.close();
    }

    @AfterEach
    void forgetExpectations() throws InterruptedException {
        server.clearExpectations();
        while (server.takeRequest(1, TimeUnit.MILLISECONDS) != null) {
            // drain what this test's calls left behind
        }
    }

    @AfterAll
    static void stopServer() {
        client.close();
        server.destroy();
    }

    @Test
    void GIVEN_a_mapped_service_account_WHEN_its_token_is_reviewed_THEN_the_identity_is_its_service_and_the_audience_was_asked()
            throws Exception {
        server.expect().post().withPath(TOKEN_REVIEWS).andReturn(201, authenticated("shop", "orders-sa", null)).once();
        KubernetesTokenVerifier verifier = verifier().mapServiceAccount("shop", "orders-sa", "orders").build();

        assertThat(verifier.verify(new IdentityProof.KubernetesToken("token-of-orders"), id("orders"))).isEqualTo(id("orders"));
        RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(request.getBody().readUtf8()).contains("\"token\":\"token-of-orders\"").contains("\"audiences\":[\"trellis-ca\"]");
    }

    @Test
    void GIVEN_an_unmapped_service_account_bound_to_an_annotated_pod_WHEN_reviewed_THEN_the_identity_is_the_annotated_service()
            throws Exception {
        server.expect().post().withPath(TOKEN_REVIEWS).andReturn(201, authenticated("shop", "default", "payments-7d9f")).once();
        server.expect().get().withPath("/api/v1/namespaces/shop/pods/payments-7d9f").andReturn(200, new PodBuilder()
                .withNewMetadata().withName("payments-7d9f").withNamespace("shop")
                .withAnnotations(Map.of(WorkloadLabels.SERVICE, "payments", WorkloadLabels.MESH, TestMesh.MESH)).endMetadata()
                .build()).once();

        assertThat(verifier().build().verify(new IdentityProof.KubernetesToken("t"), id("payments"))).isEqualTo(id("payments"));
    }

    @Test
    void GIVEN_a_pod_annotated_for_another_mesh_WHEN_reviewed_THEN_refused_naming_the_annotation() {
        server.expect().post().withPath(TOKEN_REVIEWS).andReturn(201, authenticated("shop", "default", "intruder")).once();
        server.expect().get().withPath("/api/v1/namespaces/shop/pods/intruder").andReturn(200, new PodBuilder()
                .withNewMetadata().withName("intruder").withNamespace("shop")
                .withAnnotations(Map.of(WorkloadLabels.SERVICE, "payments", WorkloadLabels.MESH, "other")).endMetadata()
                .build()).once();

        assertThatThrownBy(() -> verifier().build().verify(new IdentityProof.KubernetesToken("t"), id("payments")))
                .isInstanceOf(IdentityRefusedException.class)
                .hasMessage("pod shop/intruder annotation trellis.dev/mesh: other (expected: shop)");
    }

    @Test
    void GIVEN_a_token_the_API_server_does_not_authenticate_WHEN_reviewed_THEN_refused_with_the_API_servers_reason() {
        server.expect().post().withPath(TOKEN_REVIEWS).andReturn(201, new TokenReviewBuilder()
                .withNewStatus().withAuthenticated(false).withError("token has expired").endStatus().build()).once();

        assertThatThrownBy(() -> verifier().mapServiceAccount("shop", "orders-sa", "orders").build()
                .verify(new IdentityProof.KubernetesToken("old"), id("orders")))
                .isInstanceOf(IdentityRefusedException.class)
                .hasMessage("proof.token: not authenticated by the Kubernetes API, token has expired"
                        + " (expected: a valid service account token for audiences [trellis-ca])")
                .extracting(e -> ((IdentityRefusedException) e).unavailable()).isEqualTo(false);
    }

    @Test
    void GIVEN_an_unmapped_service_account_and_no_pod_annotations_allowed_WHEN_reviewed_THEN_refused_listing_the_mapped_accounts() {
        server.expect().post().withPath(TOKEN_REVIEWS).andReturn(201, authenticated("shop", "default", "x")).once();

        assertThatThrownBy(() -> verifier().mapServiceAccount("shop", "orders-sa", "orders").podAnnotation(false).build()
                .verify(new IdentityProof.KubernetesToken("t"), id("orders")))
                .hasMessage("serviceAccount: shop/default (expected: one of [shop/orders-sa])");
    }

    @Test
    void GIVEN_the_API_server_fails_WHEN_reviewed_THEN_unavailable_so_the_proxy_retries() {
        server.expect().post().withPath(TOKEN_REVIEWS).andReturn(500, "{}").always();

        assertThatThrownBy(() -> verifier().mapServiceAccount("shop", "orders-sa", "orders").build()
                .verify(new IdentityProof.KubernetesToken("t"), id("orders")))
                .isInstanceOf(IdentityRefusedException.class)
                .hasMessageStartingWith("TokenReview: HTTP 500")
                .extracting(e -> ((IdentityRefusedException) e).unavailable()).isEqualTo(true);
    }

    private KubernetesTokenVerifier.Builder verifier() {
        return KubernetesTokenVerifier.builder().client(client).audiences(List.of("trellis-ca"))
                .trustDomain(TestMesh.TRUST_DOMAIN).mesh(TestMesh.MESH);
    }

    private static TokenReview authenticated(String namespace, String serviceAccount, String podName) {
        return new TokenReviewBuilder().withNewStatus().withAuthenticated(true).withAudiences("trellis-ca")
                .withNewUser()
                .withUsername("system:serviceaccount:" + namespace + ":" + serviceAccount)
                .withGroups("system:serviceaccounts", "system:serviceaccounts:" + namespace)
                .withExtra(podName == null ? Map.of() : Map.of(KubernetesTokenVerifier.POD_NAME_EXTRA, List.of(podName)))
                .endUser().endStatus().build();
    }
}
