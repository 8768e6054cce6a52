package dev.trellis.cloudmap.ecs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class EcsTaskStateChangeTest {

    private static String documentedEvent() throws IOException {
        try (InputStream in = EcsTaskStateChangeTest.class.getResourceAsStream("/events/task-running.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    @DisplayName("GIVEN the documented ECS Task State Change event WHEN parsed THEN task, cluster, states, health, zone, ENI address, group, version and updatedAt are read")
    void parsesTheDocumentedEvent() throws IOException {
        EcsTaskStateChange change = EcsTaskStateChange.parse(documentedEvent());

        EcsTask task = change.task();
        assertThat(task.taskArn()).isEqualTo("arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/c13b4cb40f1f4fe4a2971f76ae5a47ad");
        assertThat(task.clusterArn()).isEqualTo("arn:aws:ecs:us-west-2:111122223333:cluster/FargateCluster");
        assertThat(task.clusterName()).isEqualTo("FargateCluster");
        assertThat(task.taskDefinitionArn()).isEqualTo("arn:aws:ecs:us-west-2:111122223333:task-definition/sample-fargate:1");
        assertThat(task.lastStatus()).isEqualTo("RUNNING");
        assertThat(task.desiredStatus()).isEqualTo("RUNNING");
        assertThat(task.healthStatus()).contains("HEALTHY");
        assertThat(task.availabilityZone()).contains("us-west-2c");
        assertThat(task.privateIpv4()).contains("10.0.0.139");
        assertThat(task.version()).contains(4L);
        assertThat(task.tags()).isEmpty();
        assertThat(change.group()).contains("family:sample-fargate");
        assertThat(change.updatedAt()).contains(Instant.parse("2020-01-23T17:57:58.103Z"));
        assertThat(task.running()).isTrue();
    }

    @Test
    @DisplayName("GIVEN only the event's detail object WHEN parsed THEN it is read the same way")
    void parsesTheDetailAlone() throws IOException {
        String detail = new com.fasterxml.jackson.databind.ObjectMapper().readTree(documentedEvent()).get("detail").toString();

        assertThat(EcsTaskStateChange.parse(detail)).isEqualTo(EcsTaskStateChange.parse(documentedEvent()));
    }

    @Test
    @DisplayName("GIVEN the event as the Map a Lambda handler receives WHEN read THEN it equals the parsed JSON")
    void readsTheLambdaMap() throws IOException {
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> map = new com.fasterxml.jackson.databind.ObjectMapper().readValue(documentedEvent(), java.util.Map.class);

        assertThat(EcsTaskStateChange.fromMap(map)).isEqualTo(EcsTaskStateChange.parse(documentedEvent()));
        assertThatThrownBy(() -> EcsTaskStateChange.fromMap(null)).hasMessage("event: missing (expected: a JSON object)");
    }

    @Test
    @DisplayName("GIVEN an event without attachments WHEN parsed THEN the address comes from the container's network interface")
    void addressFromContainers() throws IOException {
        String event = documentedEvent().replace("\"type\": \"eni\"", "\"type\": \"other\"")
                .replace("10.0.0.139\"}]", "10.0.0.140\"}]");

        assertThat(EcsTaskStateChange.parse(event).task().privateIpv4()).contains("10.0.0.140");
    }

    @Test
    @DisplayName("GIVEN text that is not JSON WHEN parsed THEN the error says what was expected")
    void rejectsNonJson() {
        assertThatThrownBy(() -> EcsTaskStateChange.parse("{not json"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("event: not JSON (expected: an ECS Task State Change event or its detail)");
    }

    @Test
    @DisplayName("GIVEN another event type WHEN parsed THEN the error names detail-type and the value received")
    void rejectsOtherDetailTypes() throws IOException {
        String event = documentedEvent().replace("ECS Task State Change", "ECS Container Instance State Change");

        assertThatThrownBy(() -> EcsTaskStateChange.parse(event))
                .hasMessage("detail-type: \"ECS Container Instance State Change\" (expected: \"ECS Task State Change\")");
    }

    @Test
    @DisplayName("GIVEN a detail without taskArn WHEN parsed THEN the error names detail.taskArn")
    void rejectsMissingTaskArn() {
        assertThatThrownBy(() -> EcsTaskStateChange.parse("{\"clusterArn\":\"c\",\"lastStatus\":\"RUNNING\",\"desiredStatus\":\"RUNNING\"}"))
                .hasMessageStartingWith("detail.taskArn: missing (expected: an ECS task ARN");
    }

    @Test
    @DisplayName("GIVEN a taskArn that is a number WHEN parsed THEN the error shows the value")
    void rejectsNonTextTaskArn() {
        assertThatThrownBy(() -> EcsTaskStateChange.parse("{\"taskArn\":42,\"clusterArn\":\"c\",\"lastStatus\":\"RUNNING\",\"desiredStatus\":\"RUNNING\"}"))
                .hasMessageStartingWith("detail.taskArn: 42 (expected:");
    }

    @Test
    @DisplayName("GIVEN a negative or fractional version WHEN parsed THEN the error names detail.version")
    void rejectsBadVersion() throws IOException {
        assertThatThrownBy(() -> EcsTaskStateChange.parse(documentedEvent().replace("\"version\": 4", "\"version\": -1")))
                .hasMessage("detail.version: -1 (expected: a whole number >= 0)");
        assertThatThrownBy(() -> EcsTaskStateChange.parse(documentedEvent().replace("\"version\": 4", "\"version\": \"four\"")))
                .hasMessage("detail.version: \"four\" (expected: a whole number >= 0)");
    }

    @Test
    @DisplayName("GIVEN an updatedAt that is not an instant WHEN parsed THEN the error shows it and an example")
    void rejectsBadUpdatedAt() throws IOException {
        String event = documentedEvent().replace("\"updatedAt\": \"2020-01-23T17:57:58.103Z\"", "\"updatedAt\": \"yesterday\"");

        assertThatThrownBy(() -> EcsTaskStateChange.parse(event))
                .hasMessageStartingWith("detail.updatedAt: \"yesterday\" (expected: an ISO-8601 instant");
    }

    @Test
    @DisplayName("GIVEN a JSON array WHEN parsed THEN the error says an object was expected")
    void rejectsArrays() {
        assertThatThrownBy(() -> EcsTaskStateChange.parse("[]")).hasMessage("event: [] (expected: a JSON object)");
    }
}
