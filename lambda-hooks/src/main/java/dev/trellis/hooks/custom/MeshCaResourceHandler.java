package dev.trellis.hooks.custom;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.trellis.aws.AwsClients;
import dev.trellis.hooks.EventJson;
import dev.trellis.hooks.MalformedEventException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;

/**
 * Lambda entry point of the {@code Custom::TrellisMeshCa} resource
 * ({@code dev.trellis.hooks.custom.MeshCaResourceHandler::handleRequest}): reads the
 * CloudFormation request, lets {@link MeshCaResource} carry it out, and PUTs the response to the
 * request's pre-signed URL. A request that cannot be read is answered FAILED whenever it names a
 * response URL; only input without one is thrown back, since there is no one to answer.
 */
public final class MeshCaResourceHandler implements RequestStreamHandler {

    private final MeshCaResource resource;
    private final CloudFormationResponder responder;

    /** What Lambda calls: clients from the environment, once per execution environment. */
    public MeshCaResourceHandler() {
        this(AwsClients.fromEnvironment(), CloudFormationResponder.standard());
    }

    MeshCaResourceHandler(AwsClients aws, CloudFormationResponder responder) {
        this.resource = MeshCaResource.of(aws.secretsManager());
        this.responder = responder;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) {
        ObjectNode json = EventJson.readObject(input);
        CustomResourceRequest request;
        CustomResourceResponse response;
        URI responseUrl;
        try {
            request = CustomResourceRequest.fromJson(json);
            responseUrl = request.responseUrl();
            response = resource.handle(request);
        } catch (MalformedEventException e) {
            responseUrl = CustomResourceRequest.responseUrl(json).orElseThrow(() -> e);
            response = CustomResourceResponse.unreadable(json, MeshCaResource.NOT_CREATED, e.getMessage());
        }
        context.getLogger().log("mesh CA " + json.path("RequestType").asText("?") + " " + response.logicalResourceId()
                + ": " + response.status() + " " + response.physicalResourceId()
                + (response.reason().isEmpty() ? "" : " (" + response.reason() + ")"));
        responder.send(responseUrl, response);
        EventJson.write(output, response.toJson());
    }
}
