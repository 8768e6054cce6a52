package dev.trellis.hooks.custom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trellis.hooks.EventJson;
import dev.trellis.hooks.Fixtures;
import dev.trellis.hooks.MalformedEventException;
import dev.trellis.hooks.RecordingContext;
import dev.trellis.testing.aws.AwsEmulator;
import dev.trellis.testing.aws.WithAwsEmulator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The mesh CA Lambda handler: reads the CloudFormation request (fixtures under {@code custom/}),
 * lets {@link MeshCaResource} carry it out ({@link MeshCaResourceTest} specifies how), and PUTs
 * the response to the pre-signed URL, here a loopback server; unreadable requests are answered
 * FAILED whenever they name a response URL.
 */
@WithAwsEmulator
class MeshCaResourceHandlerTest {

    private final AwsEmulator aws;
    private final RecordingContext context = new RecordingContext("trellis-mesh-ca-resource");
    private ResponseUrlServer s3;
    private MeshCaResourceHandler handler;

    MeshCaResourceHandlerTest(AwsEmulator aws) {
        this.aws = aws;
    }

    @BeforeEach
    void fresh() {
        aws.reset();
        s3 = new ResponseUrlServer();
        handler = new MeshCaResourceHandler(aws.clients(), CloudFormationResponder.retrying(2, Duration.ofMillis(10)));
    }

    @AfterEach
    void stop() {
        s3.close();
    }

    @Test
    void givenTheCreateFixture_whenHandled_thenTheAnswerIsPutToTheResponseUrlAndReturned() {
        JsonNode response = invoke(request("custom/create.json"));

        assertThat(s3.received()).singleElement().satisfies(put -> {
            assertThat(put.method()).isEqualTo("PUT");
            assertThat(put.contentType()).isEmpty();
            assertThat(put.json()).isEqualTo(response);
        });
        assertThat(response.path("Status").asText()).isEqualTo("SUCCESS");
        assertThat(response.path("PhysicalResourceId").asText()).startsWith("arn:aws:secretsmanager:us-east-1:");
        assertThat(context.lines()).singleElement().asString()
                .isEqualTo("mesh CA Create MeshCa: SUCCESS " + response.path("PhysicalResourceId").asText());
    }

    @Test
    void givenAFailure_whenHandled_thenFailedIsPutWithTheReason() {
        ObjectNode request = request("custom/create.json");
        ((ObjectNode) request.path("ResourceProperties")).remove("MeshName");

        invoke(request);

        assertThat(s3.last().json().path("Status").asText()).isEqualTo("FAILED");
        assertThat(s3.last().json().path("Reason").asText())
                .isEqualTo("ResourceProperties.MeshName: missing (expected: the mesh name, such as shop)");
    }

    @Test
    void givenAnUnknownRequestType_whenHandled_thenFailedIsStillPutToTheUrl() {
        JsonNode response = invoke(request("custom/create.json").put("RequestType", "Replace"));

        assertThat(response.path("Status").asText()).isEqualTo("FAILED");
        assertThat(response.path("Reason").asText()).isEqualTo("RequestType: \"Replace\" (expected: Create, Update, Delete)");
        assertThat(response.path("PhysicalResourceId").asText()).isEqualTo(MeshCaResource.NOT_CREATED);
        assertThat(response.path("RequestId").asText()).isEqualTo("0f9d7e5a-6c51-4d0e-9c0a-3a1f2e4b5c6d");
        assertThat(s3.received()).hasSize(1);
    }

    @Test
    void givenAnUpdateWithoutPhysicalId_whenHandled_thenFailedNamingIt() {
        ObjectNode request = request("custom/update.json");
        request.remove("PhysicalResourceId");

        JsonNode response = invoke(request);

        assertThat(response.path("Reason").asText())
                .isEqualTo("PhysicalResourceId: missing (expected: the id a Create answered, on Update)");
        assertThat(s3.received()).hasSize(1);
    }

    @Test
    void givenNoResponseUrl_whenHandled_thenThrownBecauseThereIsNoOneToAnswer() {
        ObjectNode request = request("custom/create.json");
        request.remove("ResponseURL");

        assertThatThrownBy(() -> invoke(request))
                .isInstanceOf(MalformedEventException.class)
                .hasMessage("ResponseURL: missing (expected: the pre-signed URL to PUT the response to)");
        assertThat(aws.clients().secretsManager().listSecrets(r -> { }).secretList()).isEmpty();
    }

    @Test
    void givenAResponseUrlThatRefuses_whenHandled_thenTheFailureToAnswerIsThrownForLambdasLog() {
        s3.answer(403);

        assertThatThrownBy(() -> invoke(request("custom/delete.json")))
                .hasMessage("the response to CloudFormation was not delivered to 127.0.0.1");
    }

    private ObjectNode request(String fixture) {
        return EventJson.readObject(Fixtures.text(fixture)).put("ResponseURL", s3.url().toString());
    }

    private JsonNode invoke(JsonNode request) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(request.toString().getBytes(StandardCharsets.UTF_8)), output, context);
        return EventJson.readObject(output.toString(StandardCharsets.UTF_8));
    }
}
