package dev.trellis.cdk.testing;

import org.junit.platform.engine.TestSource;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/** Starts {@link CliSynth} as the test run begins, when the run includes the CLI test. */
public final class StartCliSynthEarly implements TestExecutionListener {

    static final String CLI_TEST = "dev.trellis.cdk.example.CdkSynthCliTest";

    @Override
    public void testPlanExecutionStarted(TestPlan plan) {
        for (TestIdentifier root : plan.getRoots()) {
            for (TestIdentifier test : plan.getDescendants(root)) {
                TestSource source = test.getSource().orElse(null);
                if (source instanceof ClassSource c && c.getClassName().equals(CLI_TEST)) {
                    CliSynth.start();
                    return;
                }
            }
        }
    }
}
