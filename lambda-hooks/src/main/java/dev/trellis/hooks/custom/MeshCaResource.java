package dev.trellis.hooks.custom;

import dev.trellis.ca.authority.MeshCa;
import dev.trellis.ca.pki.Pem;
import dev.trellis.ca.store.CaStore;
import dev.trellis.hooks.MalformedEventException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

/**
 * The {@code Custom::TrellisMeshCa} resource: the mesh CA's first root, made by the
 * {@code mesh-ca} module's {@link MeshCa} and kept in a Secrets Manager secret (see
 * {@link MeshCaProperties} for its properties). Its physical id is the secret's ARN.
 *
 * <ul>
 *   <li><b>Create</b> makes the secret, tagged with its owner (stack and logical id), and lets
 *       {@link MeshCa} generate and store the root. A Create that CloudFormation sends again
 *       finds its own secret and answers the same. A name taken by any other secret fails.</li>
 *   <li><b>Update</b> keeps the physical id, and the CA, unless MeshName, TrustDomain or
 *       SecretName change: then a new CA is created under a new id, and CloudFormation deletes
 *       the old one once the update succeeds.</li>
 *   <li><b>Delete</b> schedules the secret's deletion ({@value #RECOVERY_WINDOW_DAYS}-day recovery
 *       window: a CA key is worth a week's grace). Deleting what is already gone, or what a failed
 *       Create never made, succeeds. A secret that is not tagged as this resource's is left alone.</li>
 * </ul>
 * Every failure becomes a FAILED response with the reason; nothing is thrown.
 *
 * <p>{@code Fn::GetAtt} attributes: {@code SecretArn}, {@code SecretName}, {@code MeshName},
 * {@code TrustDomain}, {@code RootCertificatePem} (the active root), {@code RootCertificateSha256}.
 */
public final class MeshCaResource {

    /** Tag naming the stack and logical id that own the secret. */
    public static final String OWNER_TAG = "trellis.dev/mesh-ca-owner";
    /** Tag naming the mesh. */
    public static final String MESH_TAG = "trellis.dev/mesh";
    /** The physical id a failed Create answers: a later Delete knows nothing was made. */
    public static final String NOT_CREATED = "trellis-mesh-ca-not-created";
    static final int RECOVERY_WINDOW_DAYS = 7;

    private final SecretsManagerClient secrets;
    private final Clock clock;

    private MeshCaResource(SecretsManagerClient secrets, Clock clock) {
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public static MeshCaResource of(SecretsManagerClient secrets) {
        return new MeshCaResource(secrets, Clock.systemUTC());
    }

    public static MeshCaResource of(SecretsManagerClient secrets, Clock clock) {
        return new MeshCaResource(secrets, clock);
    }

    /** Carries out {@code request}; never throws. */
    public CustomResourceResponse handle(CustomResourceRequest request) {
        try {
            return switch (request.requestType()) {
                case CREATE -> create(request, MeshCaProperties.of(request, false));
                case UPDATE -> update(request);
                case DELETE -> delete(request);
            };
        } catch (RuntimeException e) {
            return CustomResourceResponse.failed(request, NOT_CREATED, describe(e));
        }
    }

    private CustomResourceResponse create(CustomResourceRequest request, MeshCaProperties properties) {
        String name = properties.secretNameFor(request.requestId());
        String owner = owner(request);
        Optional<DescribeSecretResponse> existing = describe(name);
        boolean createdNow = false;
        if (existing.isPresent()) {
            requireOwnSecret(existing.get(), owner, "ResourceProperties.SecretName", name);
        } else {
            secrets.createSecret(r -> r.name(name)
                    .description("Trellis mesh CA of mesh " + properties.mesh() + " (" + properties.trustDomain() + ")")
                    .tags(tag(OWNER_TAG, owner), tag(MESH_TAG, properties.mesh())));
            createdNow = true;
        }
        MeshCa ca;
        try {
            ca = open(properties, name);
        } catch (RuntimeException e) {
            if (createdNow) {
                forceDeleteQuietly(name);
            }
            throw e;
        }
        String arn = describe(name).orElseThrow(() -> new IllegalStateException(
                "SecretName: " + name + " (expected: the secret just written, but Secrets Manager does not find it)")).arn();
        return CustomResourceResponse.success(request, arn, attributes(ca, arn, name));
    }

    private CustomResourceResponse update(CustomResourceRequest request) {
        MeshCaProperties properties = MeshCaProperties.of(request, false);
        MeshCaProperties old = MeshCaProperties.of(request, true);
        String arn = request.physicalResourceId().orElseThrow();
        if (properties.replaces(old)) {
            if (properties.secretName().isPresent() && properties.secretName().equals(old.secretName())) {
                throw new MalformedEventException("ResourceProperties.SecretName", properties.secretName().get(),
                        "a new name when MeshName or TrustDomain change: CloudFormation deletes the old CA only after the new one exists");
            }
            return create(request, properties);
        }
        DescribeSecretResponse secret = describe(arn).filter(s -> s.deletedDate() == null).orElseThrow(
                () -> new IllegalStateException("PhysicalResourceId: " + arn
                        + " (expected: the mesh CA's secret; it no longer exists, deleted outside CloudFormation)"));
        requireOwnSecret(secret, owner(request), "PhysicalResourceId", arn);
        MeshCa ca = open(properties, arn);
        return CustomResourceResponse.success(request, arn, attributes(ca, arn, secret.name()));
    }

    private CustomResourceResponse delete(CustomResourceRequest request) {
        String id = request.physicalResourceId().orElseThrow();
        if (!id.startsWith("arn:") || !id.contains(":secretsmanager:")) {
            return CustomResourceResponse.success(request, id, Map.of()); // a failed Create made nothing
        }
        Optional<DescribeSecretResponse> secret = describe(id);
        if (secret.isEmpty() || secret.get().deletedDate() != null) {
            return CustomResourceResponse.success(request, id, Map.of());
        }
        requireOwnSecret(secret.get(), owner(request), "PhysicalResourceId", id);
        secrets.deleteSecret(r -> r.secretId(id).recoveryWindowInDays((long) RECOVERY_WINDOW_DAYS));
        return CustomResourceResponse.success(request, id, Map.of());
    }

    private MeshCa open(MeshCaProperties properties, String secretId) {
        return MeshCa.builder()
                .mesh(properties.mesh())
                .trustDomain(properties.trustDomain())
                .store(CaStore.secretsManager(secrets, secretId))
                .rootLifetime(properties.rootLifetime())
                .clock(clock)
                .build();
    }

    private Optional<DescribeSecretResponse> describe(String secretId) {
        try {
            return Optional.of(secrets.describeSecret(r -> r.secretId(secretId)));
        } catch (ResourceNotFoundException e) {
            return Optional.empty();
        }
    }

    private static void requireOwnSecret(DescribeSecretResponse secret, String owner, String field, String value) {
        if (secret.deletedDate() != null) {
            throw new IllegalStateException(field + ": " + value
                    + " (expected: a secret not scheduled for deletion; restore it or choose another SecretName)");
        }
        String actual = secret.tags().stream().filter(t -> OWNER_TAG.equals(t.key())).map(Tag::value)
                .findFirst().orElse(null);
        if (!owner.equals(actual)) {
            throw new IllegalStateException(field + ": " + value + " (expected: a secret this resource owns, tagged "
                    + OWNER_TAG + "=" + owner + "; found " + (actual == null ? "no such tag" : actual) + ", so it is left alone)");
        }
    }

    private void forceDeleteQuietly(String name) {
        try {
            secrets.deleteSecret(r -> r.secretId(name).forceDeleteWithoutRecovery(true));
        } catch (RuntimeException ignored) {
            // The Create fails anyway; the reason reported is the first failure, not this one.
        }
    }

    private static Map<String, String> attributes(MeshCa ca, String arn, String name) {
        X509Certificate root = ca.activeRoot();
        Map<String, String> data = new LinkedHashMap<>();
        data.put("SecretArn", arn);
        data.put("SecretName", name);
        data.put("MeshName", ca.mesh());
        data.put("TrustDomain", ca.trustDomain());
        data.put("RootCertificatePem", Pem.encodeCertificates(List.of(root)));
        data.put("RootCertificateSha256", sha256(root));
        return data;
    }

    private static String sha256(X509Certificate certificate) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("the root certificate could not be fingerprinted", e);
        }
    }

    private static String owner(CustomResourceRequest request) {
        return request.stackId() + "/" + request.logicalResourceId();
    }

    private static Tag tag(String key, String value) {
        return Tag.builder().key(key).value(value).build();
    }

    private static String describe(RuntimeException e) {
        if (e instanceof AwsServiceException aws && aws.awsErrorDetails() != null) {
            return aws.awsErrorDetails().serviceName() + " " + aws.awsErrorDetails().errorCode() + ": "
                    + aws.awsErrorDetails().errorMessage();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
