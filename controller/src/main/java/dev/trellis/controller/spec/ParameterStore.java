package dev.trellis.controller.spec;

import java.util.Map;
import software.amazon.awssdk.services.ssm.SsmClient;

/** The one SSM Parameter Store call the controller makes, behind an interface. */
@FunctionalInterface
public interface ParameterStore {

    /**
     * Every parameter under a path, recursively, decrypted: name to value.
     *
     * @throws RuntimeException when SSM cannot be asked
     */
    Map<String, String> parametersUnder(String path);

    /** With the SDK's {@code GetParametersByPath}, every page. */
    static ParameterStore of(SsmClient ssm) {
        return new SsmParameterStore(ssm);
    }
}
