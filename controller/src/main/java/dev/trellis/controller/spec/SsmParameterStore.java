package dev.trellis.controller.spec;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetParametersByPathRequest;
import software.amazon.awssdk.services.ssm.model.Parameter;

/** {@link ParameterStore} with the SDK. */
final class SsmParameterStore implements ParameterStore {

    private final SsmClient ssm;

    SsmParameterStore(SsmClient ssm) {
        this.ssm = Objects.requireNonNull(ssm, "ssm");
    }

    @Override
    public Map<String, String> parametersUnder(String path) {
        Map<String, String> parameters = new TreeMap<>();
        GetParametersByPathRequest request = GetParametersByPathRequest.builder()
                .path(path)
                .recursive(true)
                .withDecryption(true)
                .maxResults(10)
                .build();
        ssm.getParametersByPathPaginator(request).forEach(page -> {
            for (Parameter parameter : page.parameters()) {
                parameters.put(parameter.name(), parameter.value());
            }
        });
        return parameters;
    }
}
