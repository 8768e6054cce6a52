package dev.trellis.ca.client;

import dev.trellis.ca.api.IdentityProof;
import dev.trellis.ca.identity.AwsStsProofs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/** A fresh proof of who this proxy is, made for each certificate request. */
@FunctionalInterface
public interface ProofSource {

    /** A proof to send now. */
    IdentityProof next();

    /** ECS: a presigned {@code sts:GetCallerIdentity} with the task role's credentials. */
    static ProofSource awsSts(AwsCredentialsProvider credentials, String region, URI stsEndpoint, String serverId) {
        Objects.requireNonNull(credentials, "credentials");
        return () -> AwsStsProofs.sign(credentials, region, stsEndpoint, serverId);
    }

    /** EKS: the projected service account token, read again each time (the kubelet rotates it). */
    static ProofSource kubernetesTokenFile(Path tokenFile) {
        Objects.requireNonNull(tokenFile, "tokenFile");
        return () -> {
            try {
                return new IdentityProof.KubernetesToken(Files.readString(tokenFile, StandardCharsets.UTF_8).strip());
            } catch (IOException e) {
                throw new UncheckedIOException("service account token " + tokenFile + ": unreadable", e);
            }
        };
    }

    /** Local mode: the mesh's bootstrap token. */
    static ProofSource bootstrapToken(String token) {
        Objects.requireNonNull(token, "token");
        return () -> new IdentityProof.BootstrapToken(token);
    }
}
