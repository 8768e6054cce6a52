package dev.trellis.cloudmap.testing;

import software.amazon.awssdk.services.ecs.model.Task;

/** EventBridge "ECS Task State Change" events, in the documented shape, about real emulator tasks. */
public final class TaskEvents {

    private TaskEvents() {
    }

    /** The whole event for the task, with the given states and version. */
    public static String event(Task task, String lastStatus, String desiredStatus, long version) {
        return event(task.taskArn(), task.clusterArn(), EcsFixture.privateIpv4(task), lastStatus, desiredStatus, version);
    }

    public static String event(String taskArn, String clusterArn, String ip, String lastStatus, String desiredStatus,
                               long version) {
        return """
                {
                  "version": "0",
                  "id": "%s",
                  "detail-type": "ECS Task State Change",
                  "source": "aws.ecs",
                  "account": "123456789012",
                  "time": "2026-11-26T08:00:00Z",
                  "region": "us-east-1",
                  "resources": ["%s"],
                  "detail": {
                    "attachments": [{"id": "a1", "type": "eni", "status": "ATTACHED", "details": [
                      {"name": "subnetId", "value": "subnet-1"},
                      {"name": "privateIPv4Address", "value": "%s"}]}],
                    "availabilityZone": "us-east-1a",
                    "clusterArn": "%s",
                    "containers": [],
                    "desiredStatus": "%s",
                    "lastStatus": "%s",
                    "group": "family:app",
                    "taskArn": "%s",
                    "updatedAt": "2026-11-26T08:00:%02d.000Z",
                    "version": %d
                  }
                }
                """.formatted(java.util.UUID.randomUUID(), taskArn, ip, clusterArn, desiredStatus, lastStatus, taskArn,
                version % 60, version);
    }
}
