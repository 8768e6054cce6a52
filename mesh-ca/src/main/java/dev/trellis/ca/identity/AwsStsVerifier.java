package dev.trellis.ca.identity;

import dev.trellis.ca.api.IdentityProof;
import dev.trellis.naming.SpiffeId;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * The CA's half of the {@code aws-sts} proof: checks the presigned {@code GetCallerIdentity}
 * (POST, exactly that body, the CA's server id signed in, fresh), sends it to the configured STS
 * endpoint only (never to a URL the caller chose), reads the ARN STS answers with, and maps the
 * assumed role to a mesh service:
 * {@code arn:aws:sts::<account>:assumed-role/<role>/<session>} → {@code role} → service.
 */
public final class AwsStsVerifier implements IdentityVerifier {

    private static final System.Logger LOG = System.getLogger(AwsStsVerifier.class.getName());
    private static final Pattern ASSUMED_ROLE = Pattern.compile("^arn:aws[a-z-]*:sts::(\\d{12}):assumed-role/([^/]+)/(.+)$");
    private static final Pattern SIGNED_HEADERS = Pattern.compile("SignedHeaders=([^,\\s]+)");
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    /** Headers replayed to STS; everything else the caller sent stays here. */
    private static final Set<String> FORWARDED = Set.of("authorization", "content-type", "x-amz-date",
            "x-amz-security-token", "x-amz-content-sha256", AwsStsProofs.SERVER_ID_HEADER.toLowerCase(Locale.ROOT));

    private final URI stsEndpoint;
    private final String serverId;
    private final String trustDomain;
    private final String mesh;
    private final Map<String, String> roleToService;
    private final Set<String> allowedAccounts;
    private final Duration maxSkew;
    private final HttpClient http;
    private final Duration timeout;
    private final Clock clock;

    private AwsStsVerifier(Builder builder) {
        this.stsEndpoint = builder.stsEndpoint;
        this.serverId = builder.serverId;
        this.trustDomain = builder.trustDomain;
        this.mesh = builder.mesh;
        this.roleToService = Map.copyOf(builder.roleToService);
        this.allowedAccounts = Set.copyOf(builder.allowedAccounts);
        this.maxSkew = builder.maxSkew;
        this.timeout = builder.timeout;
        this.clock = builder.clock;
        this.http = builder.http != null ? builder.http : HttpClient.newBuilder()
                .connectTimeout(builder.timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** A builder; endpoint, server id, trust domain, mesh and at least one role are required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public SpiffeId verify(IdentityProof proof, SpiffeId requested) throws IdentityRefusedException {
        if (!(proof instanceof IdentityProof.AwsSts sts)) {
            throw IdentityRefusedException.refused("proof.kind: " + proof.kind() + " (expected: aws-sts)");
        }
        Map<String, String> headers = checkRequest(sts);
        String arn = callerArn(headers);
        Matcher role = ASSUMED_ROLE.matcher(arn);
        if (!role.matches()) {
            throw IdentityRefusedException.refused("caller: " + arn
                    + " (expected: an assumed role, arn:aws:sts::<account>:assumed-role/<role>/<session>)");
        }
        if (!allowedAccounts.isEmpty() && !allowedAccounts.contains(role.group(1))) {
            throw IdentityRefusedException.refused("caller.account: " + role.group(1)
                    + " (expected: one of " + new java.util.TreeSet<>(allowedAccounts) + ")");
        }
        String service = roleToService.get(role.group(2));
        if (service == null) {
            throw IdentityRefusedException.refused("caller.role: " + role.group(2)
                    + " (expected: a role mapped to a mesh service, one of " + new TreeMap<>(roleToService).keySet() + ")");
        }
        return SpiffeId.of(trustDomain, mesh, service);
    }

    /** The headers to replay, lower-cased, after checking the request is the one and only allowed. */
    private Map<String, String> checkRequest(IdentityProof.AwsSts sts) throws IdentityRefusedException {
        if (!"POST".equalsIgnoreCase(sts.method())) {
            throw IdentityRefusedException.refused("proof.method: " + sts.method() + " (expected: POST)");
        }
        if (!sameEndpoint(sts.url())) {
            throw IdentityRefusedException.refused("proof.url: " + sts.url()
                    + " (expected: the configured STS endpoint, " + stsEndpoint + ")");
        }
        if (!AwsStsProofs.GET_CALLER_IDENTITY.equals(sts.body())) {
            throw IdentityRefusedException.refused("proof.body: " + sts.body()
                    + " (expected: " + AwsStsProofs.GET_CALLER_IDENTITY + ")");
        }
        Map<String, String> headers = new TreeMap<>();
        sts.headers().forEach((name, values) -> {
            String key = name.toLowerCase(Locale.ROOT);
            if (FORWARDED.contains(key) && values != null && !values.isEmpty()) {
                headers.put(key, values.get(0));
            }
        });
        String authorization = headers.get("authorization");
        if (authorization == null || !authorization.startsWith("AWS4-HMAC-SHA256 ")) {
            throw IdentityRefusedException.refused("proof.headers.Authorization: " + (authorization == null ? "missing" : "not SigV4")
                    + " (expected: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...)");
        }
        String serverIdHeader = AwsStsProofs.SERVER_ID_HEADER.toLowerCase(Locale.ROOT);
        if (!serverId.equals(headers.get(serverIdHeader))) {
            throw IdentityRefusedException.refused("proof.headers." + AwsStsProofs.SERVER_ID_HEADER + ": "
                    + headers.get(serverIdHeader) + " (expected: " + serverId + ")");
        }
        Matcher signed = SIGNED_HEADERS.matcher(authorization);
        if (!signed.find() || !List.of(signed.group(1).split(";")).contains(serverIdHeader)) {
            throw IdentityRefusedException.refused("proof.headers.Authorization.SignedHeaders: "
                    + (signed.hitEnd() ? "missing" : signed.group(1)) + " (expected: to include " + serverIdHeader + ")");
        }
        checkFresh(headers.get("x-amz-date"));
        return headers;
    }

    private void checkFresh(String amzDate) throws IdentityRefusedException {
        Instant signedAt;
        try {
            signedAt = LocalDateTime.parse(amzDate == null ? "" : amzDate, AMZ_DATE).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw IdentityRefusedException.refused("proof.headers.X-Amz-Date: " + amzDate + " (expected: yyyyMMddTHHmmssZ)");
        }
        Instant now = clock.instant();
        if (Duration.between(signedAt, now).abs().compareTo(maxSkew) > 0) {
            throw IdentityRefusedException.refused("proof.headers.X-Amz-Date: " + amzDate
                    + " (expected: within " + maxSkew + " of " + now + ")");
        }
    }

    private boolean sameEndpoint(String url) {
        URI given;
        try {
            given = URI.create(url);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return stsEndpoint.getScheme().equalsIgnoreCase(String.valueOf(given.getScheme()))
                && stsEndpoint.getHost().equalsIgnoreCase(String.valueOf(given.getHost()))
                && port(stsEndpoint) == port(given)
                && path(stsEndpoint).equals(path(given))
                && given.getRawQuery() == null
                && given.getRawUserInfo() == null;
    }

    private static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private static String path(URI uri) {
        return uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    }

    private String callerArn(Map<String, String> headers) throws IdentityRefusedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(stsEndpoint)
                .timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofString(AwsStsProofs.GET_CALLER_IDENTITY));
        headers.forEach(request::header);
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw IdentityRefusedException.unavailable("STS at " + stsEndpoint + ": " + e + " (expected: an answer)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw IdentityRefusedException.unavailable("STS at " + stsEndpoint + ": interrupted (expected: an answer)", e);
        }
        if (response.statusCode() >= 500) {
            throw IdentityRefusedException.unavailable("STS at " + stsEndpoint + ": HTTP " + response.statusCode()
                    + " (expected: 200)", null);
        }
        Document document = parse(response.body());
        if (response.statusCode() != 200) {
            String code = text(document, "Code");
            String message = text(document, "Message");
            LOG.log(System.Logger.Level.INFO, "STS refused a presigned GetCallerIdentity: {0} {1}", code, message);
            throw IdentityRefusedException.refused("proof: STS answered HTTP " + response.statusCode()
                    + (code == null ? "" : " " + code) + (message == null ? "" : ", " + message)
                    + " (expected: a valid signature by the caller's task role)");
        }
        String arn = text(document, "Arn");
        if (arn == null) {
            throw IdentityRefusedException.unavailable("STS at " + stsEndpoint + ": no Arn in the answer (expected: GetCallerIdentityResult)", null);
        }
        return arn;
    }

    private static Document parse(byte[] xml) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setExpandEntityReferences(false);
            return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml));
        } catch (Exception e) {
            return null;
        }
    }

    private static String text(Document document, String element) {
        if (document == null) {
            return null;
        }
        NodeList nodes = document.getElementsByTagName(element);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().strip();
    }

    @Override
    public String toString() {
        return "AwsStsVerifier{" + stsEndpoint + ", roles=" + new TreeMap<>(roleToService) + "}";
    }

    /** Builds an {@link AwsStsVerifier}. */
    public static final class Builder {
        private URI stsEndpoint;
        private String serverId;
        private String trustDomain;
        private String mesh;
        private final Map<String, String> roleToService = new TreeMap<>();
        private Set<String> allowedAccounts = Set.of();
        private Duration maxSkew = Duration.ofMinutes(15);
        private Duration timeout = Duration.ofSeconds(5);
        private HttpClient http;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** The only STS endpoint proofs are sent to, such as {@code https://sts.us-east-1.amazonaws.com}. Required. */
        public Builder stsEndpoint(URI stsEndpoint) {
            this.stsEndpoint = stsEndpoint;
            return this;
        }

        /** The value proxies must sign into {@value AwsStsProofs#SERVER_ID_HEADER}. Required. */
        public Builder serverId(String serverId) {
            this.serverId = serverId;
            return this;
        }

        /** The mesh's trust domain. Required. */
        public Builder trustDomain(String trustDomain) {
            this.trustDomain = trustDomain;
            return this;
        }

        /** The mesh. Required. */
        public Builder mesh(String mesh) {
            this.mesh = mesh;
            return this;
        }

        /** Tasks running with IAM role {@code roleName} are mesh service {@code service}. */
        public Builder mapRole(String roleName, String service) {
            roleToService.put(Objects.requireNonNull(roleName, "roleName"), Objects.requireNonNull(service, "service"));
            return this;
        }

        /** Every entry of {@link #mapRole}. */
        public Builder roleToService(Map<String, String> roles) {
            roles.forEach(this::mapRole);
            return this;
        }

        /** Only roles of these AWS accounts; any account when empty (the default). */
        public Builder allowedAccounts(Set<String> accounts) {
            this.allowedAccounts = Set.copyOf(accounts);
            return this;
        }

        /** How far X-Amz-Date may be from now; 15 minutes (SigV4's own window) by default. */
        public Builder maxSkew(Duration maxSkew) {
            this.maxSkew = Objects.requireNonNull(maxSkew, "maxSkew");
            return this;
        }

        /** Timeout of the call to STS; 5 seconds by default. */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** The HTTP client; a new one (no redirects) by default. */
        public Builder httpClient(HttpClient http) {
            this.http = http;
            return this;
        }

        /** The clock freshness is judged by. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public AwsStsVerifier build() {
            if (stsEndpoint == null || !stsEndpoint.isAbsolute() || stsEndpoint.getHost() == null) {
                throw new IllegalArgumentException("stsEndpoint: " + stsEndpoint + " (expected: an absolute URI such as https://sts.us-east-1.amazonaws.com)");
            }
            if (serverId == null || serverId.isBlank()) {
                throw new IllegalArgumentException("serverId: " + serverId + " (expected: a non-blank id agreed with the proxies)");
            }
            if (trustDomain == null || mesh == null) {
                throw new IllegalArgumentException("trustDomain, mesh: " + trustDomain + ", " + mesh + " (expected: both set)");
            }
            if (roleToService.isEmpty()) {
                throw new IllegalArgumentException("roleToService: empty (expected: at least one role mapped to a service)");
            }
            return new AwsStsVerifier(this);
        }
    }
}
