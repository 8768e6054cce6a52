package dev.trellis.cdk.internal;

import java.util.List;
import java.util.function.Supplier;
import software.amazon.awscdk.IStableListProducer;
import software.amazon.awscdk.IStableStringProducer;
import software.amazon.awscdk.Lazy;

/** Values computed at synth, after every {@code addXxx} call: CDK's Lazy with Java suppliers. */
public final class Lazies {

    private Lazies() {
    }

    public static String string(Supplier<String> value) {
        return Lazy.string(new IStableStringProducer() {
            @Override
            public String produce() {
                return value.get();
            }
        });
    }

    public static List<String> list(Supplier<List<String>> value) {
        return Lazy.list(new IStableListProducer() {
            @Override
            public List<String> produce() {
                return value.get();
            }
        });
    }
}
