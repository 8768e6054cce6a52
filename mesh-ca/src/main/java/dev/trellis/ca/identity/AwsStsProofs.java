package dev.trellis.ca.identity;

import dev.trellis.ca.api.IdentityProof;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;

/**
 * The proxy's half of the {@code aws-sts} proof: a {@code sts:GetCallerIdentity} request signed
 * (SigV4) with the task role's credentials, then handed to the CA instead of sent. The CA's
 * server id goes into a signed header, so the proof is worthless to any other service it might be
 * shown to; SigV4's 15-minute window bounds replays.
 */
public final class AwsStsProofs {

    /** The only request body the CA replays. */
    public static final String GET_CALLER_IDENTITY = "Action=GetCallerIdentity&Version=2011-06-15";
    /** Signed header carrying the CA's server id (the audience of the proof). */
    public static final String SERVER_ID_HEADER = "X-Trellis-Server-Id";
    /** The content type of the form body. */
    public static final String FORM = "application/x-www-form-urlencoded; charset=utf-8";

    private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();

    private AwsStsProofs() {
    }

    /**
     * A fresh proof.
     *
     * @param credentials the task role's credentials (ECS: the container credentials provider)
     * @param region the STS region, such as {@code us-east-1}; must match the CA's STS endpoint
     * @param stsEndpoint the STS endpoint the CA replays to, such as {@code https://sts.us-east-1.amazonaws.com}
     * @param serverId the CA's server id, agreed in configuration
     */
    public static IdentityProof.AwsSts sign(AwsCredentialsProvider credentials, String region, URI stsEndpoint,
                                           String serverId) {
        return sign(credentials, region, stsEndpoint, serverId, Clock.systemUTC());
    }

    /** As {@link #sign(AwsCredentialsProvider, String, URI, String)} at the time of {@code clock}. */
    public static IdentityProof.AwsSts sign(AwsCredentialsProvider credentials, String region, URI stsEndpoint,
                                           String serverId, Clock clock) {
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(stsEndpoint, "stsEndpoint");
        Objects.requireNonNull(serverId, "serverId");
        SdkHttpRequest request = SdkHttpRequest.builder()
                .method(SdkHttpMethod.POST)
                .uri(stsEndpoint)
                .putHeader("Content-Type", FORM)
                .putHeader(SERVER_ID_HEADER, serverId)
                .build();
        SignedRequest signed = SIGNER.sign(r -> r
                .identity(credentials.resolveCredentials())
                .request(request)
                .payload(ContentStreamProvider.fromString(GET_CALLER_IDENTITY, StandardCharsets.UTF_8))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "sts")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(HttpSigner.SIGNING_CLOCK, clock));
        Map<String, List<String>> headers = new LinkedHashMap<>(signed.request().headers());
        return new IdentityProof.AwsSts("POST", signed.request().getUri().toString(), headers, GET_CALLER_IDENTITY);
    }
}
