package dev.trellis.hooks.coldstart;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.trellis.hooks.RecordingContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a fresh Lambda execution environment does, timed: load the handler class by name,
 * construct it (its clients and settings come from the environment), invoke it once (cold), then
 * once more (warm). Run in its own JVM on the shaded jar; prints one line of figures and the
 * first answer.
 *
 * <pre>java -cp trellis-lambda-hooks.jar:test-classes dev.trellis.hooks.coldstart.ColdStartProbe HANDLER_CLASS EVENT_FILE</pre>
 */
public final class ColdStartProbe {

    private ColdStartProbe() {
    }

    public static void main(String[] args) throws Exception {
        long mainAt = System.currentTimeMillis();
        long jvmStartedAt = ManagementFactory.getRuntimeMXBean().getStartTime();
        byte[] event = Files.readAllBytes(Path.of(args[1]));

        long t0 = System.nanoTime();
        RequestStreamHandler handler = (RequestStreamHandler) Class.forName(args[0]).getDeclaredConstructor().newInstance();
        long t1 = System.nanoTime();
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event), first, new RecordingContext("probe"));
        long t2 = System.nanoTime();
        handler.handleRequest(new ByteArrayInputStream(event), new ByteArrayOutputStream(), new RecordingContext("probe"));
        long t3 = System.nanoTime();
        long total = System.currentTimeMillis() - jvmStartedAt;

        System.out.printf("figures jvmToMainMs=%d initMs=%d firstInvokeMs=%d secondInvokeMs=%d jvmStartToFirstAnswerMs=%d%n",
                mainAt - jvmStartedAt, (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000, total);
        System.out.println("answer " + first.toString(StandardCharsets.UTF_8));
    }
}
