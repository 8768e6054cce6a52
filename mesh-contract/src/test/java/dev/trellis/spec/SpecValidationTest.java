package dev.trellis.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SpecValidationTest {

    private static List<String> problemsOf(String yaml) {
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class, () -> MeshSpecs.parse(yaml, "mesh.yaml"));
        assertThat(e).as("the spec should have been refused").isNotNull();
        return e.problems().stream().map(SpecProblem::toString).toList();
    }

    @Nested
    class MalformedDocuments {

        @Test
        @DisplayName("GIVEN bad YAML WHEN parsed THEN the error says where the syntax broke")
        void badYaml() {
            assertThat(problemsOf("mesh: shop\nservices:\n  - name: [unclosed\n"))
                    .singleElement().asString()
                    .startsWith("(document): malformed YAML/JSON at line")
                    .endsWith("(expected: well-formed YAML or JSON)");
        }

        @Test
        @DisplayName("GIVEN a document that is a list WHEN parsed THEN it is refused as a whole")
        void notAMapping() {
            assertThat(problemsOf("- a\n- b\n"))
                    .containsExactly("(document): array (expected: a mapping with apiVersion, mesh and services)");
        }

        @Test
        @DisplayName("GIVEN an empty document WHEN parsed THEN it is refused as a whole")
        void empty() {
            assertThat(problemsOf("")).singleElement().asString().startsWith("(document): ");
        }
    }

    @Nested
    class StructuralProblems {

        @Test
        @DisplayName("GIVEN a string where a number belongs WHEN parsed THEN the path and the expected type are named")
        void wrongType() {
            assertThat(problemsOf("""
                    mesh: shop
                    services:
                      - name: orders
                        port: eighty
                    """)).containsExactly("services[orders].port: eighty (expected: an integer)");
        }

        @Test
        @DisplayName("GIVEN an unknown field WHEN parsed THEN it is named with the fields that exist")
        void unknownField() {
            assertThat(problemsOf("""
                    mesh: shop
                    services:
                      - name: orders
                        port: 8080
                        retries: {attempts: 3}
                    """)).singleElement().asString()
                    .startsWith("services[orders].retries: unknown field (expected: one of name, protocol, port,");
        }

        @Test
        @DisplayName("GIVEN an out-of-range value WHEN parsed THEN the allowed range is given")
        void outOfRange() {
            assertThat(problemsOf("""
                    mesh: shop
                    services:
                      - name: orders
                        port: 8080
                        routes:
                          - targets: [{version: v1, weight: 1}]
                            retry: {attempts: -1}
                    """)).containsExactly("services[orders].routes[0].retry.attempts: -1 (expected: 0..10)");
        }

        @Test
        @DisplayName("GIVEN a missing required field WHEN parsed THEN it is named as missing")
        void missingField() {
            assertThat(problemsOf("""
                    mesh: shop
                    services:
                      - name: orders
                    """)).containsExactly("services[orders].port: missing (expected: a value)");
        }

        @Test
        @DisplayName("GIVEN an unknown enumeration value WHEN parsed THEN the allowed values are listed")
        void badEnum() {
            assertThat(problemsOf("""
                    mesh: shop
                    tls: MAYBE
                    services: []
                    """)).containsExactly("tls: MAYBE (expected: one of STRICT, PERMISSIVE, DISABLED)");
        }

        @Test
        @DisplayName("GIVEN a malformed duration WHEN parsed THEN an example of the format is given")
        void badDuration() {
            assertThat(problemsOf("""
                    mesh: shop
                    services:
                      - name: orders
                        port: 8080
                        timeouts: {request: 15 seconds}
                    """)).containsExactly(
                    "services[orders].timeouts.request: 15 seconds (expected: a duration such as 250ms, 15s, 5m or 1h)");
        }

        @Test
        @DisplayName("GIVEN a service without a usable name WHEN parsed THEN it is named by its index")
        void unnamedServiceByIndex() {
            assertThat(problemsOf("""
                    mesh: shop
                    services:
                      - name: Orders_Service
                        port: 8080
                    """)).singleElement().asString()
                    .startsWith("services[Orders_Service].name: Orders_Service (expected: lower-case letters");
            assertThat(problemsOf("""
                    mesh: shop
                    services:
                      - port: 8080
                    """)).containsExactly("services[0].name: missing (expected: a value)");
        }
    }

    @Nested
    class ReferenceProblems {

        @Test
        @DisplayName("GIVEN a route to a version the service does not have WHEN parsed THEN the versions are listed")
        void danglingVersion() {
            assertThat(problemsOf("""
                    mesh: shop
                    services:
                      - name: orders
                        port: 8080
                        versions: [v1, v2]
                        routes:
                          - targets: [{version: v1, weight: 50}, {version: v3, weight: 50}]
                    """)).containsExactly("services[orders].routes[0].targets[1].version: v3 (expected: one of v1, v2)");
        }

        @Test
        @DisplayName("GIVEN an allowed caller that is not a service WHEN parsed THEN the services are listed")
        void danglingCaller() {
            assertThat(problemsOf("""
                    mesh: shop
                    services:
                      - name: orders
                        port: 8080
                        allowedCallers: [{service: fronted}]
                      - name: frontend
                        port: 8080
                    """)).containsExactly(
                    "services[orders].allowedCallers[0].service: fronted (expected: a service of this mesh: frontend, orders)");
        }

        @Test
        @DisplayName("GIVEN weights that sum to zero WHEN parsed THEN the route is refused")
        void zeroWeights() {
            assertThat(problemsOf("""
                    mesh: shop
                    services:
                      - name: orders
                        port: 8080
                        routes:
                          - targets: [{version: v1, weight: 0}]
                    """)).containsExactly("services[orders].routes[0].targets: weights sum to 0 (expected: > 0)");
        }

        @Test
        @DisplayName("GIVEN two services of one name WHEN parsed THEN the duplicate is named")
        void duplicateService() {
            assertThat(problemsOf("""
                    mesh: shop
                    services:
                      - {name: orders, port: 8080}
                      - {name: orders, port: 8081}
                    """)).containsExactly("services[orders]: a second service named orders (expected: unique service names)");
        }

        @Test
        @DisplayName("GIVEN a regex that does not compile WHEN parsed THEN the regex problem is named")
        void badRegex() {
            assertThat(problemsOf("""
                    mesh: shop
                    services:
                      - name: orders
                        port: 8080
                        routes:
                          - match: {pathRegex: "/orders/(["}
                            targets: [{version: v1, weight: 1}]
                    """)).singleElement().asString()
                    .startsWith("services[orders].routes[0].match.pathRegex: /orders/([ (expected: a valid regular expression");
        }

        @Test
        @DisplayName("GIVEN two path conditions on one route WHEN parsed THEN the conflict is named")
        void conflictingPathConditions() {
            assertThat(problemsOf("""
                    mesh: shop
                    services:
                      - name: orders
                        port: 8080
                        routes:
                          - match: {pathPrefix: /a, path: /b}
                            targets: [{version: v1, weight: 1}]
                    """)).containsExactly(
                    "services[orders].routes[0].match: pathPrefix and path (expected: at most one of pathPrefix, path, pathRegex)");
        }

        @Test
        @DisplayName("GIVEN a per-try timeout above the request timeout WHEN parsed THEN the limit is named")
        void perTryAboveRequest() {
            assertThat(problemsOf("""
                    mesh: shop
                    services:
                      - name: orders
                        port: 8080
                        timeouts: {request: 1s}
                        retry: {perTryTimeout: 2s}
                    """)).containsExactly(
                    "services[orders].retry.perTryTimeout: 2s (expected: <= the request timeout 1s)");
        }

        @Test
        @DisplayName("GIVEN a tcp service with a request match WHEN parsed THEN the match is refused")
        void tcpWithMatch() {
            assertThat(problemsOf("""
                    mesh: shop
                    services:
                      - name: db
                        protocol: tcp
                        port: 5432
                        routes:
                          - match: {headers: [{name: x, present: true}]}
                            targets: [{version: v1, weight: 1}]
                    """)).containsExactly(
                    "services[db].routes[0].match: a request match (expected: no match for a tcp service (only targets))");
        }
    }

    @Test
    @DisplayName("GIVEN a spec with several kinds of problem WHEN parsed THEN every problem comes in one pass")
    void everyProblemAtOnce() {
        assertThat(problemsOf("""
                mesh: shop
                services:
                  - name: orders
                    port: 70000
                    colour: blue
                    versions: [v1]
                    routes:
                      - targets: [{version: v9, weight: 10}]
                        retry: {attempts: 11}
                """)).containsExactlyInAnyOrder(
                "services[orders].colour: unknown field (expected: one of name, protocol, port, versions, routes, timeouts, "
                        + "retry, connectionLimits, outlierDetection, loadBalancer, tls, allowedCallers)",
                "services[orders].port: 70000 (expected: 1..65535)",
                "services[orders].routes[0].retry.attempts: 11 (expected: 0..10)",
                "services[orders].routes[0].targets[0].version: v9 (expected: one of v1)");
    }

    @Test
    @DisplayName("GIVEN an invalid spec WHEN the exception is printed THEN the source and count head the list")
    void messageNamesTheSource() {
        InvalidSpecException e = catchThrowableOfType(InvalidSpecException.class,
                () -> MeshSpecs.parse("mesh: shop\nservices: [{name: a}]\n", "mesh.yaml"));

        assertThat(e.getMessage()).isEqualTo("mesh.yaml: 1 problem\n  services[a].port: missing (expected: a value)");
    }

    @Test
    @DisplayName("GIVEN an invalid spec built in code WHEN validated THEN the same problems are reported")
    void validatesRecordsLikeDocuments() {
        MeshSpec spec = MeshSpec.of("shop", List.of(ServiceSpec.of("orders", 0)));

        assertThat(MeshSpecs.problems(spec)).extracting(SpecProblem::toString)
                .containsExactly("services[orders].port: 0 (expected: 1..65535)");
    }
}
