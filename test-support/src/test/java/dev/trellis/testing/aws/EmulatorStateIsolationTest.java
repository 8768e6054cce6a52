package dev.trellis.testing.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;
import software.amazon.awssdk.services.servicediscovery.model.NamespaceSummary;

/**
 * Runs small scenario classes in a JUnit engine of their own (so with an emulator of their own),
 * in a fixed order, and checks which state each one saw.
 */
class EmulatorStateIsolationTest {

    @Test
    @DisplayName("GIVEN a class that leaves a namespace behind WHEN the next class runs THEN the emulator is empty again")
    void stateIsWipedBetweenClasses() {
        Events tests = runInOrder(LeavesANamespaceBehind.class, ExpectsAnEmptyEmulator.class).testEvents();

        tests.assertStatistics(stats -> stats.started(2).succeeded(2));
    }

    @Test
    @DisplayName("GIVEN an outer class that creates a namespace in @BeforeAll WHEN its @Nested tests run THEN they still see it")
    void nestedClassesShareTheirOuterClassState() {
        Events tests = runInOrder(OuterCreatesANamespace.class).testEvents();

        tests.assertStatistics(stats -> stats.started(1).succeeded(1));
    }

    private static EngineExecutionResults runInOrder(Class<?>... classes) {
        var request = EngineTestKit.engine("junit-jupiter")
                .configurationParameter("junit.jupiter.testclass.order.default",
                        ClassOrderer.OrderAnnotation.class.getName());
        for (Class<?> type : classes) {
            request.selectors(selectClass(type));
        }
        return request.execute();
    }

    private static java.util.List<String> namespaceNames(AwsEmulator aws) {
        return aws.clients().serviceDiscovery().listNamespaces(r -> {}).namespaces().stream()
                .map(NamespaceSummary::name)
                .toList();
    }

    @WithAwsEmulator
    @Order(1)
    static class LeavesANamespaceBehind {
        @Test
        void createsANamespace(AwsEmulator aws) {
            aws.clients().serviceDiscovery().createHttpNamespace(r -> r.name("left.behind"));
            assertThat(namespaceNames(aws)).containsExactly("left.behind");
        }
    }

    @WithAwsEmulator
    @Order(2)
    static class ExpectsAnEmptyEmulator {
        private final AwsEmulator aws;

        ExpectsAnEmptyEmulator(AwsEmulator aws) {
            this.aws = aws;
        }

        @Test
        void seesNoNamespace() {
            assertThat(namespaceNames(aws)).isEmpty();
        }
    }

    @WithAwsEmulator
    static class OuterCreatesANamespace {
        @BeforeAll
        static void createNamespace(AwsEmulator aws) {
            aws.clients().serviceDiscovery().createHttpNamespace(r -> r.name("outer.setup"));
        }

        @Nested
        class Inner {
            @Test
            void seesTheOuterNamespace(AwsEmulator aws) {
                assertThat(namespaceNames(aws)).containsExactly("outer.setup");
            }
        }
    }
}
