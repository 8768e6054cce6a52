package dev.trellis.hooks.custom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CloudFormationResponderTest {

    private final ResponseUrlServer s3 = new ResponseUrlServer();
    private final CloudFormationResponder responder = CloudFormationResponder.retrying(3, Duration.ofMillis(10));
    private final CustomResourceResponse response = new CustomResourceResponse(CustomResourceResponse.Status.SUCCESS, "",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:trellis/shop/mesh-ca-0a1b2c3d-AbCdEf",
            "arn:aws:cloudformation:us-east-1:123456789012:stack/shop-mesh/5b3d", "req-1", "MeshCa",
            Map.of("TrustDomain", "shop.example.com"));

    @AfterEach
    void stop() {
        s3.close();
    }

    @Test
    void givenAResponse_whenSent_thenItIsPutWithAnEmptyContentTypeToThePresignedUrlAsIs() {
        responder.send(s3.url(), response);

        assertThat(s3.received()).singleElement().satisfies(put -> {
            assertThat(put.method()).isEqualTo("PUT");
            assertThat(put.contentType()).isEmpty();
            assertThat(put.query()).isEqualTo("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=0a1b2c3d4e5f");
            assertThat(put.path()).contains("stack/shop-mesh/5b3d|MeshCa|req");
            assertThat(put.json()).isEqualTo(response.toJson());
        });
        assertThat(s3.last().json().path("Status").asText()).isEqualTo("SUCCESS");
        assertThat(s3.last().json().path("Data").path("TrustDomain").asText()).isEqualTo("shop.example.com");
    }

    @Test
    void givenTheUrlFailsTwiceWith5xx_whenSent_thenTheThirdAttemptDeliversIt() {
        s3.answer(503, 500);

        responder.send(s3.url(), response);

        assertThat(s3.received()).hasSize(3);
    }

    @Test
    void givenTheUrlRefusesWith403_whenSent_thenItIsNotRetriedAndTheFailureIsThrown() {
        s3.answer(403);

        assertThatThrownBy(() -> responder.send(s3.url(), response))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessage("the response to CloudFormation was not delivered to 127.0.0.1")
                .hasRootCauseMessage("ResponseURL: HTTP 403 (expected: 200 from the pre-signed URL)");
        assertThat(s3.received()).hasSize(1);
    }

    @Test
    void givenTheUrlAlwaysFails_whenSent_thenEveryAttemptIsMadeAndTheFailureIsThrown() {
        s3.answer(500, 500, 500);

        assertThatThrownBy(() -> responder.send(s3.url(), response)).isInstanceOf(UncheckedIOException.class);
        assertThat(s3.received()).hasSize(3);
    }
}
