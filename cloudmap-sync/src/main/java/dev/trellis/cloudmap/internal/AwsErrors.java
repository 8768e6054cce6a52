package dev.trellis.cloudmap.internal;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/** Which AWS errors are worth trying again later: throttling, server errors, and failures to reach AWS. */
public final class AwsErrors {

    private AwsErrors() {
    }

    public static boolean retryable(Throwable error) {
        if (error instanceof AwsServiceException service) {
            return service.isThrottlingException() || service.statusCode() >= 500;
        }
        return error instanceof SdkClientException;
    }

    public static boolean throttling(Throwable error) {
        return error instanceof AwsServiceException service && service.isThrottlingException();
    }

    /** A short description for logs and results: the AWS error code when there is one. */
    public static String describe(Throwable error) {
        if (error instanceof AwsServiceException service && service.awsErrorDetails() != null
                && service.awsErrorDetails().errorCode() != null) {
            return service.awsErrorDetails().errorCode() + ": " + service.awsErrorDetails().errorMessage();
        }
        return error.getClass().getSimpleName() + ": " + error.getMessage();
    }
}
